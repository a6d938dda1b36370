import { problemTypes, streams, type OtpRequestAccepted } from '@otp/contracts';
import { keyedHash, randomDigits, randomHex } from '@otp/platform/crypto';
import { ProblemError } from '@otp/platform/http';
import { otpDecider } from './otp-decider';
import { OTP_TTL_MS } from './otp-policy';
import { otpEmail } from './otp-email';
import { handleCommand } from '../handling/command-handler';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { emailKeyOf, normaliseEmail } from '../users/emails';

export const codeHashOf = (hashKey: Buffer, challengeId: string, code: string): string =>
  keyedHash(hashKey, 'otp-code', `${challengeId}\0${code}`);

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
  const emailKey = emailKeyOf(deps.hashKey, input.customerId, email);
  const challengeId = `chl_${randomHex(8)}`;
  const code = randomDigits(deps.otpCodeLength);
  const handled = await handleCommand(
    deps.eventStore,
    streams.otp(input.customerId, emailKey),
    otpDecider,
    {
      type: 'RequestOtp',
      challengeId,
      customerId: input.customerId,
      emailKey,
      email,
      codeHash: codeHashOf(deps.hashKey, challengeId, code),
      codeLength: deps.otpCodeLength,
      now: ctx.now,
    },
    ctx,
  );
  const requested = handled.events.find((e) => e.type === 'OtpRequested');
  if (!requested || requested.type !== 'OtpRequested') throw new Error('RequestOtp decided no OtpRequested event');

  try {
    await deps.mailer.send(otpEmail({ id: challengeId, to: email, code, expiresInMinutes: OTP_TTL_MS / 60_000 }));
  } catch (error) {
    // The challenge stays recorded (it simply expires); the caller may ask again.
    deps.logger.error({ challengeId, requestId: ctx.requestId, err: (error as Error).message }, 'otp email delivery failed');
    throw new ProblemError(503, problemTypes.emailDeliveryFailed, 'Email delivery failed', 'the code could not be sent; try again shortly', {}, { 'Retry-After': '5' });
  }
  return { challengeId, expiresAt: requested.data.expiresAt, position: handled.position };
}
