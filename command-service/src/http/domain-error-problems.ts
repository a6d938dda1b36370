import type { NextFunction, Request, Response } from 'express';
import { problemTypes } from '@otp/contracts';
import { ProblemError } from '@otp/platform/http';
import { rateLimitHeaders, type LimitDecision } from '@otp/platform/limits';
import { ConcurrencyError } from '../handling/command-handler';
import { Refusal, type RefusalCode } from '../handling/refusal';

export interface RefusalAnswer {
  status: number;
  type: string;
  title: string;
}

const conflict = (title: string): RefusalAnswer => ({ status: 409, type: problemTypes.conflict, title });
const invalidCode: RefusalAnswer = { status: 401, type: problemTypes.invalidCode, title: 'Invalid code' };
// The configuration let a rule's bound be crossed (code length, session lifetime): the server's fault, not the caller's.
// One problem type for every refused token; the code says which rule, so a client knows a reuse from an expiry and logs in again either way.
const invalidToken: RefusalAnswer = { status: 401, type: problemTypes.invalidToken, title: 'Invalid token' };
const misconfigured: RefusalAnswer = { status: 500, type: problemTypes.internal, title: 'Internal error' };

/** The one answer to each refusal. A Record over the union: a new code does not compile until it is here. */
export const refusalAnswers: Record<RefusalCode, RefusalAnswer> = {
  customer_exists: conflict('Customer exists'),
  customer_not_found: { status: 404, type: problemTypes.notFound, title: 'Not found' },
  customer_inactive: { status: 403, type: problemTypes.customerInactive, title: 'Customer inactive' },
  key_exists: conflict('API key exists'),
  // What the body's validation answers for the same mistake.
  no_scopes: { status: 400, type: problemTypes.validation, title: 'Invalid request' },
  too_many_keys: conflict('Too many API keys'),
  key_not_found: { status: 404, type: problemTypes.notFound, title: 'Not found' },
  key_not_active: conflict('API key not active'),
  // Refused so a tenant cannot lock itself out of managing its own keys.
  last_admin_key: conflict('Last admin key'),
  invalid_grace: { status: 400, type: problemTypes.validation, title: 'Invalid request' },
  customer_cancelled: conflict('Customer cancelled'),
  // What the body's validation answers for the same mistake.
  publishable_scopes: { status: 400, type: problemTypes.validation, title: 'Invalid request' },
  domain_not_found: { status: 404, type: problemTypes.notFound, title: 'Not found' },
  too_many_domains: conflict('Too many domains'),
  // The request was understood and the domain is known; DNS does not hold the proof (yet: records take time to spread).
  domain_not_verified: { status: 422, type: problemTypes.domainNotVerified, title: 'Domain not verified' },
  invalid_quota: { status: 400, type: problemTypes.validation, title: 'Invalid request' },
  invalid_code_length: misconfigured,
  // A challenge id drawn twice with another code: the request may simply be sent again.
  challenge_exists: conflict('Challenge exists'),
  no_challenge: invalidCode,
  // Per-email limits: Retry-After says when, and nothing was sent or compared.
  too_many_code_requests: { status: 429, type: problemTypes.rateLimited, title: 'Too many requests' },
  verification_delayed: { status: 429, type: problemTypes.rateLimited, title: 'Too many requests' },
  session_exists: conflict('Session exists'),
  // A generated kid drawn twice: the rotation may simply be asked for again.
  signing_key_exists: conflict('Signing key exists'),
  invalid_ttl: misconfigured,
  code_not_valid: invalidCode,
  // The tenant's daily or monthly quota: Retry-After is the window's reset.
  quota_exceeded: { status: 429, type: problemTypes.quotaExceeded, title: 'Quota exceeded' },
  // One verification of a tenant's whole history at a time; Retry-After says when to ask again.
  history_pass_running: { status: 429, type: problemTypes.rateLimited, title: 'Too many requests' },
  email_delivery_failed: { status: 503, type: problemTypes.emailDeliveryFailed, title: 'Email delivery failed' },
  session_not_found: invalidToken,
  session_revoked: invalidToken,
  session_expired: invalidToken,
  refresh_token_unknown: invalidToken,
  refresh_token_reused: invalidToken,
  access_token_invalid: invalidToken,
  // If-Match named a version that is no longer current: read the config again, then write.
  config_version_conflict: { status: 412, type: problemTypes.preconditionFailed, title: 'Precondition failed' },
  invalid_template: { status: 400, type: problemTypes.validation, title: 'Invalid request' },
  // A verified token whose user stream is empty (its write lost): a new login writes it again.
  user_not_found: invalidToken,
  // The code was right, so only the email's owner learns it: its account exists, and its first key was shown once already.
  signup_already_completed: { status: 409, type: problemTypes.signupAlreadyCompleted, title: 'Signup already completed' },
};

/** A limit known only by its wait (and its size, where the refusal names it as `limit`): every 429 carries RateLimit-*. */
function limitOf({ retryAfterSeconds, limit }: Refusal['details']): LimitDecision | undefined {
  if (retryAfterSeconds === undefined) return undefined;
  const size = typeof limit === 'number' ? limit : 0;
  return { allowed: false, limit: size, remaining: 0, resetSeconds: retryAfterSeconds, retryAfterSeconds };
}

/** The problem a refusal is answered with: its code and the guesses left in the body, the wait in Retry-After, the limit in RateLimit-*. */
export function problemOf(refusal: Refusal): ProblemError {
  const { status, type, title } = refusalAnswers[refusal.code];
  const { retryAfterSeconds, attemptsRemaining } = refusal.details;
  const rateLimit = refusal.details.rateLimit ?? (status === 429 ? limitOf(refusal.details) : undefined);
  const body = { code: refusal.code, ...(attemptsRemaining !== undefined ? { attemptsRemaining } : {}) };
  const headers: Record<string, string> = {
    ...(rateLimit !== undefined ? rateLimitHeaders(rateLimit) : {}),
    ...(retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {}),
  };
  return new ProblemError(status, type, title, refusal.message, body, headers);
}

/** Turns a use case's or a decider's refusal into its problem; a 500 among them is logged, as any other 500 is. */
export function domainErrorProblems() {
  return (error: unknown, req: Request, _res: Response, next: NextFunction) => {
    if (error instanceof Refusal) {
      const problem = problemOf(error);
      if (problem.status === 500) req.log?.error({ code: error.code, err: error.message }, 'refused by a rule the configuration breaks');
      return next(problem);
    }
    if (error instanceof ConcurrencyError) {
      return next(
        new ProblemError(
          409,
          problemTypes.conflict,
          'Concurrent update',
          'the resource changed while this request ran; retry',
          {},
          { 'Retry-After': '1' },
        ),
      );
    }
    next(error);
  };
}
