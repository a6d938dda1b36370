import type { Response } from 'express';
import type { LimitDecision } from './token-bucket';

/**
 * The RateLimit-Limit/Remaining/Reset headers (draft-ietf-httpapi-ratelimit-headers)
 * of one decision, and Retry-After when it refused.
 */
export function rateLimitHeaders(decision: LimitDecision): Record<string, string> {
  return {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(Math.max(0, decision.remaining)),
    'RateLimit-Reset': String(decision.resetSeconds),
    ...(decision.allowed ? {} : { 'Retry-After': String(decision.retryAfterSeconds) }),
  };
}

/**
 * Sets a limit's headers on an answer that goes through. Several limits hold at
 * once (the key's rate, an end user's rate, the tenant's quota): the draft has
 * the server show the one closest to being exhausted, so a decision with more
 * remaining than the one already shown leaves it in place.
 */
export function showLimit(res: Response, decision: LimitDecision): void {
  const shown = res.getHeader('RateLimit-Remaining');
  if (shown !== undefined && Number(shown) <= decision.remaining) return;
  for (const [name, value] of Object.entries(rateLimitHeaders(decision))) res.setHeader(name, value);
}
