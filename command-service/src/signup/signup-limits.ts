import { z } from 'zod';
import type { TokenBucketRate } from '@otp/platform/limits';

const perHour = z.coerce.number().int().min(1).max(100_000);
const burst = z.coerce.number().int().min(1).max(10_000);

/**
 * The signup routes' budgets per client network (docs/operations.md). No
 * credential opens them, so an address is all there is to count a caller by:
 * without these one client could make the service mail thousands of emails
 * (each email's own limit is 3 an hour) and try codes across many signups.
 */
export const SignupLimitsEnv = {
  /** Codes one address may ask for per hour once its burst is spent: each is a mail the service pays for and signs. */
  SIGNUP_PER_ADDRESS_PER_HOUR: perHour.default(10),
  SIGNUP_PER_ADDRESS_BURST: burst.default(5),
  /** Verifications per address: a budget of their own, so typing a code wrong never costs the address a new code. */
  SIGNUP_VERIFY_PER_ADDRESS_PER_HOUR: perHour.default(30),
  SIGNUP_VERIFY_PER_ADDRESS_BURST: burst.default(10),
};
export type SignupLimitsConfig = { [Name in keyof typeof SignupLimitsEnv]: number };

/** What `POST /v1/signup` and `POST /v1/signup/verify` each allow one client network. */
export interface SignupLimits {
  request: TokenBucketRate;
  verify: TokenBucketRate;
}

export const signupLimitsFrom = (config: SignupLimitsConfig): SignupLimits => ({
  request: { capacity: config.SIGNUP_PER_ADDRESS_BURST, refillPerSecond: config.SIGNUP_PER_ADDRESS_PER_HOUR / 3600 },
  verify: { capacity: config.SIGNUP_VERIFY_PER_ADDRESS_BURST, refillPerSecond: config.SIGNUP_VERIFY_PER_ADDRESS_PER_HOUR / 3600 },
});
