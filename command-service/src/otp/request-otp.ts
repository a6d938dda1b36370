import { streams, type OtpRequestAccepted } from '@otp/contracts';
import { emailKey, otpCodeHash, randomDigits, randomHex } from '@otp/platform/crypto';
import { otpDecider } from './otp-decider';
import { secondsUntil } from './otp-policy';
import { otpEmail } from './otp-email';
import { sendOtpEmail } from './send-otp-email';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { Refusal } from '../handling/refusal';
import { normaliseEmail } from '../users/emails';
import { tenantConfigOf } from '../tenant-config/tenant-config-of';

/**
 * Records the challenge, then sends the code. The answer is the same whether
 * the email is known or not (no account enumeration): a new challenge either way.
 * The code exists in plain text only in this function and in the email.
 */
export async function requestOtp(
  deps: CommandDeps,
  input: { customerId: string; email: string },
  ctx: CommandContext,
): Promise<OtpRequestAccepted & { position: bigint | undefined }> {
  const email = normaliseEmail(input.email);
  const key = emailKey(deps.hashKey, input.customerId, email);
  const challengeId = `chl_${randomHex(8)}`;
  // The tenant's settings as they are now; the challenge records them, so a later change leaves this code alone.
  const { otp, email: emailSettings } = await tenantConfigOf(deps, input.customerId);
  const code = randomDigits(otp.length);
  const streamName = streams.otp(input.customerId, key);
  const handled = await deps.commands.handle(
    streamName,
    otpDecider,
    {
      type: 'RequestOtp',
      challengeId,
      customerId: input.customerId,
      emailKey: key,
      email,
      codeHash: otpCodeHash(deps.hashKey, challengeId, code),
      codeLength: otp.length,
      ttlSeconds: otp.ttlSeconds,
      maxAttempts: otp.maxAttempts,
      perEmailPerHour: otp.perEmailPerHour,
      now: ctx.now,
    },
    ctx,
  );
  const exceeded = handled.events.find((e) => e.type === 'OtpRateLimitExceeded');
  if (exceeded?.type === 'OtpRateLimitExceeded') {
    throw new Refusal('too_many_code_requests', 'too many codes were requested for this email', {
      retryAfterSeconds: secondsUntil(Date.parse(exceeded.data.retryAt), ctx.now),
      limit: exceeded.data.max,
    });
  }
  const requested = handled.events.find((e) => e.type === 'OtpRequested');
  if (!requested || requested.type !== 'OtpRequested') throw new Error('RequestOtp decided no OtpRequested event');

  const expiresInMinutes = Math.ceil(otp.ttlSeconds / 60);
  const outgoing = otpEmail({ id: challengeId, to: email, code, expiresInMinutes }, emailSettings);
  const sent = await sendOtpEmail(
    deps,
    {
      customerId: input.customerId,
      streamName,
      provider: emailSettings.provider,
      email: { ...outgoing, from: emailSettings.from ?? undefined },
    },
    ctx,
  );
  return { challengeId, expiresAt: requested.data.expiresAt, position: sent ?? handled.position };
}
