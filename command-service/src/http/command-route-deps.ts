import type { RequestGuard } from '@otp/platform/auth';
import type { ConsistencyTokens } from '@otp/platform/crypto';
import type { EventStore } from '@otp/platform/event-store';
import type { OnePassPerTenant } from '../audit-history/one-pass-per-tenant';
import type { TenantHeads } from '../audit-history/tenant-checkpoint';
import type { CommandDeps } from '../handling/command-deps';
import type { OtpQuotaGate } from '../limits/otp-quota-gate';
import type { SignupLimits } from '../signup/signup-limits';
import type { SigningKeyring } from '../tokens/signing-keyring';

/** What the write API's routes need beside the use cases' dependencies. */
export interface CommandRouteDeps extends CommandDeps {
  /** Every API-key and operator route's credential check and limits (throttle, allowlist, request rates). */
  guard: RequestGuard;
  /** The tenant's daily and monthly OTP quotas. */
  quotas: OtpQuotaGate;
  /** The deployment's key stream, which the operator rotates; the token issuer signs from the same one. */
  signingKeys: SigningKeyring;
  /** Seals the position a write answers with (`X-Event-Position`); made from the hash key the query side shares. */
  consistency: ConsistencyTokens;
  /**
   * What the auditor's raw-history routes read: the store itself, a counter of the pages read, the
   * tenant heads this process remembers for checkpoints, and the one verification per tenant running.
   */
  auditHistory: { eventStore: EventStore; onPageRead?: () => void; heads: TenantHeads; verifications: OnePassPerTenant };
  /** What the signup routes allow one client network (the guard holds the buckets); from the SIGNUP_* settings. */
  signupLimits: SignupLimits;
}
