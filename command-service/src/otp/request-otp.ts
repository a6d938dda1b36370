import { streams, type OtpRequestAccepted } from '@otp/contracts';
import { emailKey, otpCodeHash, randomDigits, randomHex } from '@otp/platform/crypto';
import { otpDecider } from './otp-decider';
import { OTP_DEFAULT_PER_EMAIL_PER_HOUR, OTP_TTL_MS, secondsUntil } from './otp-policy';
import { otpEmail } from './otp-email';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { Refusal } from '../handling/refusal';
import { normaliseEmail } from '../users/emails';

/** The caller may ask again once the mail server has had a moment. */
const RETRY_DELIVERY_AFTER_SECONDS = 5;

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
  const code = randomDigits(deps.otpCodeLength);
  const handled = await deps.commands.handle(
    streams.otp(input.customerId, key),
    otpDecider,
    {
      type: 'RequestOtp',
      challengeId,
      customerId: input.customerId,
      emailKey: key,
      email,
      codeHash: otpCodeHash(deps.hashKey, challengeId, code),
      codeLength: deps.otpCodeLength,
      perEmailPerHour: deps.otpPerEmailPerHour ?? OTP_DEFAULT_PER_EMAIL_PER_HOUR,
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

  try {
    await deps.mailer.send(otpEmail({ id: challengeId, to: email, code, expiresInMinutes: OTP_TTL_MS / 60_000 }));
  } catch (error) {
    // The challenge stays recorded (it simply expires); the caller may ask again.
    deps.logger.error({ challengeId, requestId: ctx.requestId, err: (error as Error).message }, 'otp email delivery failed');
    throw new Refusal('email_delivery_failed', 'the code could not be sent; try again shortly', {
      retryAfterSeconds: RETRY_DELIVERY_AFTER_SECONDS,
    });
  }
  return { challengeId, expiresAt: requested.data.expiresAt, position: handled.position };
}
