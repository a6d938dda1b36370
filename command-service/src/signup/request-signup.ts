import { DEFAULT_TENANT_CONFIG, type OtpRequestAccepted, type SignupBody } from '@otp/contracts';
import { otpCodeHash, randomDigits, randomHex } from '@otp/platform/crypto';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { Refusal } from '../handling/refusal';
import { secondsUntil } from '../otp/otp-policy';
import { signupDecider } from './signup-decider';
import { signupEmail } from './signup-email';
import { signupIdentity } from './signup-identity';

/** A signup has no tenant yet: its code follows the defaults every tenant starts with. */
const SIGNUP_OTP = DEFAULT_TENANT_CONFIG.otp;

/** The caller may ask again once the mail server has had a moment. */
const RETRY_DELIVERY_AFTER_SECONDS = 5;

/**
 * Records a signup code on the email's signup stream, under the OTP rules (the per-email
 * request limit bounds how much mail anyone can make us send to an address), then mails
 * it. Nothing is read about the account: the answer and the work are the same whether the
 * email has one or not, so this route tells nobody which emails are customers.
 */
export async function requestSignup(
  deps: CommandDeps,
  body: SignupBody,
  ctx: Omit<CommandContext, 'tenantId'>,
): Promise<OtpRequestAccepted & { position: bigint | undefined }> {
  const { email, emailKey, customerId, streamName } = signupIdentity(deps.hashKey, body.email);
  const challengeId = `chl_${randomHex(8)}`;
  const code = randomDigits(SIGNUP_OTP.length);
  const handled = await deps.commands.handle(
    streamName,
    signupDecider,
    {
      type: 'RequestSignup',
      challengeId,
      customerId,
      emailKey,
      email,
      codeHash: otpCodeHash(deps.hashKey, challengeId, code),
      codeLength: SIGNUP_OTP.length,
      ttlSeconds: SIGNUP_OTP.ttlSeconds,
      maxAttempts: SIGNUP_OTP.maxAttempts,
      perEmailPerHour: SIGNUP_OTP.perEmailPerHour,
      companyName: body.companyName,
      plan: body.plan ?? 'free',
      now: ctx.now,
    },
    // The signup's history is the customer's first chapter: its audit shows how it began.
    { ...ctx, tenantId: customerId },
  );
  const exceeded = handled.events.find((e) => e.type === 'OtpRateLimitExceeded');
  if (exceeded?.type === 'OtpRateLimitExceeded') {
    throw new Refusal('too_many_code_requests', 'too many codes were requested for this email', {
      retryAfterSeconds: secondsUntil(Date.parse(exceeded.data.retryAt), ctx.now),
    });
  }
  const requested = handled.events.find((e) => e.type === 'OtpRequested');
  if (requested?.type !== 'OtpRequested') throw new Error('RequestSignup decided no OtpRequested event');

  try {
    await deps.mailer.send(signupEmail({ id: challengeId, to: email, code, expiresInMinutes: SIGNUP_OTP.ttlSeconds / 60 }));
  } catch (error) {
    // The challenge stays recorded (it simply expires); the caller may ask again.
    deps.logger.error({ challengeId, requestId: ctx.requestId, err: (error as Error).message }, 'signup email delivery failed');
    throw new Refusal('email_delivery_failed', 'the code could not be sent; try again shortly', {
      retryAfterSeconds: RETRY_DELIVERY_AFTER_SECONDS,
    });
  }
  return { challengeId, expiresAt: requested.data.expiresAt, position: handled.position };
}
