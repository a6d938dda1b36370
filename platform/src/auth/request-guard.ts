import type { Request, Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import { PLAN_LIMITS, problemTypes, streams, tenantConfigFold, type RequestRate } from '@otp/contracts';
import { clientAddressKey } from '../crypto/secret-hashes';
import { loadState } from '../event-store/load-state';
import type { EventStore } from '../event-store/port';
import type { StreamStateCache } from '../event-store/stream-state-cache';
import { bearerToken } from '../http/bearer';
import { ProblemError } from '../http/problem-error';
import { clientNetwork } from '../limits/client-network';
import { FailedCredentials } from '../limits/failed-credentials';
import { allowedByList } from '../limits/ip-allowlist';
import { rateLimitHeaders, showLimit } from '../limits/rate-limit-headers';
import { TokenBuckets, type LimitDecision, type TokenBucketRate } from '../limits/token-bucket';
import type { ApiKeyAuthenticator, ApiKeyPrincipal } from './api-key-authenticator';
import { keyRequest } from './browser-origins';
import { endUserAddress } from './end-user-address';
import type { OperatorCheck } from './operator-check';

/** A request-rate limit refused a request; the shape of RateLimitExceeded's data, with the key it came through. */
export interface RateLimitRefusal {
  customerId: string;
  keyId: string;
  limit: 'api_key' | 'client_address';
  subject: string;
  /** The refusal's minute: one RateLimitExceeded per key (or address) per window. */
  windowStart: string;
  retryAt: string;
}

export interface RequestGuardOptions {
  authenticate: ApiKeyAuthenticator;
  checkOperator: OperatorCheck;
  /** Where the tenant's config (its allowlist) is read, through the process's one cache of folded streams. */
  eventStore: EventStore;
  states: StreamStateCache;
  hashKey: Buffer;
  /** Counts failures and refusals for /metrics. */
  registry: Registry;
  /** Told of each refusal by a rate limit (the write side records it once per window); must not throw or wait. */
  onRateLimited?: (refusal: RateLimitRefusal) => void;
  failures?: FailedCredentials;
  buckets?: TokenBuckets;
}

export type CredentialKind = 'api_key' | 'operator_token' | 'signup_code';

/** The budgets of routes no credential opens (the signup and its verify), each per client network. */
export type AnonymousLimit = 'signup' | 'signup_verify';

const RATE_WINDOW_MS = 60_000;

const rateLimited = (detail: string, decision: LimitDecision, code: string) =>
  new ProblemError(429, problemTypes.rateLimited, 'Too many requests', detail, { code }, rateLimitHeaders(decision));

/** What a held address is told: the wait, in the same headers as any limit. */
const throttled = (retryAfterSeconds: number, freeFailures: number) =>
  rateLimited(
    'too many failed credentials from this address; wait before trying again',
    { allowed: false, limit: freeFailures, remaining: 0, resetSeconds: retryAfterSeconds, retryAfterSeconds },
    'credentials_throttled',
  );

/**
 * What every API-key and operator route runs before its own work, in this
 * order: an address held for failed credentials is answered 429 before its
 * credential is looked at; the credential is checked (a failure counts
 * against the address); the tenant's IP allowlist; the key's request rate;
 * the end user's request rate where the address is known. The limits are
 * held in memory per process (docs/decisions.md says what that allows in
 * distributed mode). Shared by the command and query sides, in platform
 * because both authenticate; what a refusal records is the write side's
 * (`onRateLimited`). The signup routes, which no credential opens, take their
 * budgets per client network and their codes' failure record from it too
 * (`anonymous`, `secret`).
 */
export function createRequestGuard(options: RequestGuardOptions) {
  const { authenticate, checkOperator, eventStore, states, hashKey, onRateLimited } = options;
  const failures = options.failures ?? new FailedCredentials();
  const buckets = options.buckets ?? new TokenBuckets();
  const freeFailures = 10;
  const failed = new Counter({
    name: 'credential_failures_total',
    help: 'Failed credentials (unknown or invalid API keys, wrong operator tokens, failed signup codes) by kind',
    labelNames: ['kind'] as const,
    registers: [options.registry],
  });
  const held = new Counter({
    name: 'credential_throttled_total',
    help: 'Requests refused because their address is held after failed credentials, by kind',
    labelNames: ['kind'] as const,
    registers: [options.registry],
  });
  const limited = new Counter({
    name: 'rate_limited_total',
    help: 'Requests refused by a request-rate limit, by limit',
    labelNames: ['limit'] as const,
    registers: [options.registry],
  });

  const address = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

  /** Refuses an address held for failed credentials; answers the time its check is made at. */
  function notHeld(req: Request, kind: CredentialKind): number {
    const now = Date.now();
    const wait = failures.retryAfterSeconds(address(req), now);
    if (wait > 0) {
      held.inc({ kind });
      throw throttled(wait, freeFailures);
    }
    return now;
  }

  function countFailure(req: Request, kind: CredentialKind, now: number): void {
    failed.inc({ kind });
    failures.fail(address(req), now);
  }

  /** Runs one credential check under the address's failure record. */
  async function checked<T>(req: Request, kind: CredentialKind, check: (credential: string) => T | Promise<T>): Promise<T> {
    const now = notHeld(req, kind);
    const credential = bearerToken(req);
    try {
      return await check(credential);
    } catch (error) {
      // Only a wrong credential counts: a missing header guesses nothing, and a suspended tenant's real key is not a guess.
      if (error instanceof ProblemError && error.status === 401) countFailure(req, kind, now);
      throw error;
    }
  }

  function limit(
    res: Response,
    principal: ApiKeyPrincipal,
    kind: RateLimitRefusal['limit'],
    subject: string,
    rate: RequestRate,
    now: number,
  ): void {
    const decision = buckets.take(
      `${kind}:${principal.customerId}:${subject}`,
      { capacity: rate.burst, refillPerSecond: rate.perSecond },
      now,
    );
    if (decision.allowed) return showLimit(res, decision);
    limited.inc({ limit: kind });
    onRateLimited?.({
      customerId: principal.customerId,
      keyId: principal.keyId,
      limit: kind,
      subject,
      windowStart: new Date(Math.floor(now / RATE_WINDOW_MS) * RATE_WINDOW_MS).toISOString(),
      retryAt: new Date(now + decision.retryAfterSeconds * 1000).toISOString(),
    });
    throw rateLimited(
      kind === 'api_key' ? 'this API key is over its request rate' : 'too many requests for this end user',
      decision,
      'rate_limited',
    );
  }

  return {
    /**
     * The API key's principal, or the problem that stops the request; sets the RateLimit-* headers on the answer.
     * `publishable: 'allowed'` only on the routes a browser key may call (the OTP request and verify).
     */
    async apiKey(req: Request, res: Response, publishable?: 'allowed'): Promise<ApiKeyPrincipal> {
      const principal = await checked(req, 'api_key', (credential) => authenticate(credential, keyRequest(req, publishable)));
      const { state } = await loadState(eventStore, states, streams.config(principal.customerId), tenantConfigFold);
      if (!allowedByList(state.config.ipAllowlist, req.ip)) {
        throw new ProblemError(403, problemTypes.ipNotAllowed, 'Address not allowed', "this address is outside the tenant's IP allowlist", {
          code: 'ip_not_allowed',
        });
      }
      const now = Date.now();
      const limits = PLAN_LIMITS[principal.plan];
      limit(res, principal, 'api_key', principal.keyId, limits.perApiKey, now);
      const endUser = endUserAddress(req, principal);
      if (endUser !== undefined) {
        limit(res, principal, 'client_address', clientAddressKey(hashKey, principal.customerId, endUser), limits.perEndUserAddress, now);
      }
      return principal;
    },
    /** Passes the operator's token, or throws the problem that stops the request. */
    async operator(req: Request): Promise<void> {
      await checked(req, 'operator_token', (credential) => checkOperator(credential));
    },
    /**
     * Holds a route no credential opens (signup) to a budget per client network: no tenant is
     * there to record a refusal for, so the refusal is counted on /metrics and appends nothing.
     * Sets the RateLimit-* headers on the answer.
     */
    anonymous(req: Request, res: Response, limit: AnonymousLimit, rate: TokenBucketRate): void {
      const decision = buckets.take(`${limit}:${clientNetwork(address(req))}`, rate, Date.now());
      if (decision.allowed) return showLimit(res, decision);
      limited.inc({ limit });
      throw rateLimited('too many requests from this address; wait before trying again', decision, 'rate_limited');
    },
    /**
     * Runs the check of a secret an anonymous caller presents (a signup code) under the same
     * failure record per address as keys and tokens: a held address is refused before it is
     * compared, and an error `wrong` names counts as a failed credential.
     */
    async secret<T>(req: Request, kind: 'signup_code', check: () => Promise<T>, wrong: (error: unknown) => boolean): Promise<T> {
      const now = notHeld(req, kind);
      try {
        return await check();
      } catch (error) {
        if (wrong(error)) countFailure(req, kind, now);
        throw error;
      }
    },
  };
}
export type RequestGuard = ReturnType<typeof createRequestGuard>;
