import type { LimitDecision } from '@otp/platform/limits';

/** What the deciders refuse commands with, by aggregate. */
const DECIDER_REFUSALS = [
  // customers
  'customer_exists',
  'customer_not_found',
  'customer_inactive',
  'key_exists',
  'no_scopes',
  'too_many_keys',
  'key_not_found',
  'key_not_active',
  'last_admin_key',
  'invalid_grace',
  'customer_cancelled',
  'publishable_scopes',
  // sending domains
  'domain_not_found',
  'too_many_domains',
  'domain_not_verified',
  'invalid_quota',
  // otp
  'invalid_code_length',
  'challenge_exists',
  'no_challenge',
  'too_many_code_requests',
  'verification_delayed',
  // sessions
  'session_exists',
  'invalid_ttl',
  'session_not_found',
  'session_revoked',
  'session_expired',
  'refresh_token_unknown',
  // users
  'user_not_found',
  // signing keys
  'signing_key_exists',
  // tenant config
  'config_version_conflict',
  'invalid_template',
] as const;

/** What the use cases answer beside those, where a command ran and the caller still does not get what it asked for. */
const USE_CASE_REFUSALS = [
  'code_not_valid',
  'email_delivery_failed',
  'refresh_token_reused',
  'access_token_invalid',
  // signup
  'signup_already_completed',
  // limits
  'quota_exceeded',
  // the auditor's history
  'history_pass_running',
] as const;

/**
 * Every way the write side says no. The HTTP edge maps each code to its
 * status and problem type in one table (http/domain-error-problems.ts), a
 * Record over this union, so a new code does not compile until it has an answer.
 */
export const REFUSAL_CODES = [...DECIDER_REFUSALS, ...USE_CASE_REFUSALS] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];
export type DeciderRefusalCode = (typeof DECIDER_REFUSALS)[number];

/**
 * What a refusal knows beyond its code. Three names reach the caller: how long
 * to wait (Retry-After), the limit that refused (RateLimit-*) and the guesses left at a code; everything else is
 * context for logs and tests and never leaves the process.
 */
export interface RefusalDetails {
  retryAfterSeconds?: number;
  attemptsRemaining?: number;
  /** The limit that refused, for the RateLimit-* headers. */
  rateLimit?: LimitDecision;
  [context: string]: unknown;
}

/** A use case refused: the command ran, or could not, and the answer is no. Its message is the caller's `detail`. */
export class Refusal extends Error {
  override readonly name: string = 'Refusal';
  constructor(
    readonly code: RefusalCode,
    message: string,
    readonly details: RefusalDetails = {},
  ) {
    super(message);
  }
}
