import type { CustomerRegisteredResponse, VerifySignupBody } from '@otp/contracts';
import { otpCodeHash, secretEquals } from '@otp/platform/crypto';
import { registerWithFirstKey } from '../customers/register-customer';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { DomainError } from '../handling/decider';
import { Refusal } from '../handling/refusal';
import type { OtpEvent } from '../otp/otp-decider';
import { outcomeOf } from '../otp/verify-outcome';
import { signupDecider } from './signup-decider';
import { signupIdentity } from './signup-identity';

/**
 * Verifies a signup code as an end user's is verified (attempts, expiry, single use, the
 * per-email guess budget), then registers the customer and its first key in one append to
 * `customer-<id>`, the id derived from the email, expecting no stream. So one email is one
 * customer by construction: a second verify (another code, another process, a race) can
 * only find the stream there and is refused, never given a second customer or a second key.
 *
 * If the process dies between the two appends, the code is used and no customer exists:
 * a new code verifies into the registration, as nothing holds the id meanwhile.
 */
export async function verifySignup(
  deps: CommandDeps,
  body: VerifySignupBody,
  ctx: Omit<CommandContext, 'tenantId'>,
): Promise<CustomerRegisteredResponse & { position: bigint | undefined }> {
  const { email, customerId, streamName, ownerUserId } = signupIdentity(deps.hashKey, body.email);
  const verified = await deps.commands
    .handle(
      streamName,
      signupDecider,
      {
        type: 'VerifyOtp',
        challengeId: body.challengeId,
        codeMatches: (stored) => secretEquals(stored.codeHash, otpCodeHash(deps.hashKey, stored.challengeId, body.code)),
        newUserId: ownerUserId,
        now: ctx.now,
      },
      { ...ctx, tenantId: customerId },
    )
    .catch((error: unknown) => {
      // As the OTP verify: no event, after the same keyed hash a known email costs.
      if (error instanceof DomainError && error.code === 'no_challenge') {
        const hash = otpCodeHash(deps.hashKey, body.challengeId ?? 'chl_0000000000000000', body.code);
        secretEquals(hash, hash);
        throw notValid();
      }
      throw error;
    });
  // A verify decides OTP events only; the guard says so to the outcome reader.
  const outcome = outcomeOf(verified.events.filter((e): e is OtpEvent => e.type !== 'SignupRequested'));
  if (outcome.kind !== 'verified') throw notValid();
  const challenge = verified.events.find((e) => e.type === 'OtpVerified');
  const application = challenge?.type === 'OtpVerified' ? verified.state.applications[challenge.data.challengeId] : undefined;
  if (!application) throw new Error('a verified signup code without its application');

  const { companyName, plan } = application;
  const registered = await registerWithFirstKey(deps, { customerId, name: companyName, email, plan, companyName }, ctx).catch(
    (error: unknown) => {
      if (error instanceof DomainError && error.code === 'customer_exists') throw alreadyCompleted();
      throw error;
    },
  );
  const positions = [verified.position, registered.position].filter((p): p is bigint => p !== undefined);
  return { ...registered, position: positions.reduce((a, b) => (a > b ? a : b)) };
}

/** The same one answer the OTP verify gives, whatever the reason. */
const notValid = (): Refusal => new Refusal('code_not_valid', 'the code is not valid or has expired; request a new code');

/**
 * Told only to whoever holds a valid code for the email, so it reveals nothing to others. Not
 * the 201 again: that would need the first key, which was shown once and is not kept, or a
 * second key issued behind the owner's back.
 */
const alreadyCompleted = (): Refusal =>
  new Refusal(
    'signup_already_completed',
    'this email already has an account; use its API key, or issue another with one that has customer:admin',
  );
