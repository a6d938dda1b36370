import { z } from 'zod';
import { ChallengeId, CustomerId, IsoTimestamp, Plan } from '../ids';

/** The plans a signup may ask for; enterprise (unlimited quotas) is arranged with the operator. */
export const SelfServicePlan = Plan.extract(['free', 'pro']);

/**
 * What a self-service signup asked for beside its code, recorded with the
 * code's OtpRequested on the signup stream (`signup-<keyed hash of the email>`):
 * the verify registers the customer from it, so the verify needs only the code.
 * `customerId` is derived from the email, the id the customer gets if it verifies.
 */
export const SignupRequested = z
  .object({
    challengeId: ChallengeId,
    customerId: CustomerId,
    companyName: z.string().trim().min(1).max(200),
    plan: SelfServicePlan,
    requestedAt: IsoTimestamp,
  })
  .strict();
