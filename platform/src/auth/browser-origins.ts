import type { Request } from 'express';
import { originAllowed, problemTypes, streams, tenantConfigFold } from '@otp/contracts';
import { loadState } from '../event-store/load-state';
import type { EventStore } from '../event-store/port';
import type { StreamStateCache } from '../event-store/stream-state-cache';
import { ProblemError } from '../http/problem-error';

/** What a request tells beside its key. */
export interface KeyRequest {
  /** Its Origin header: a browser page sent it. Absent, a server did (browsers send it on every cross-origin call). */
  origin: string | undefined;
  /** Set only by the routes a browser SDK calls (request and verify a code): every other route refuses publishable keys. */
  publishable?: 'allowed';
}

/** The key request of an HTTP request; `publishable` on the two OTP routes only. */
export const keyRequest = (req: Request, publishable?: 'allowed'): KeyRequest => ({
  origin: req.header('origin'),
  ...(publishable ? { publishable } : {}),
});

/**
 * Whether a tenant lets pages at an origin use its keys, read from its config
 * stream (`cors.allowedOrigins`) through the process's cache of folded
 * streams, so a changed list holds from the next request on every instance.
 */
export function createTenantOrigins({ eventStore, states }: { eventStore: EventStore; states: StreamStateCache }) {
  return {
    async allows(customerId: string, origin: string): Promise<boolean> {
      const { state } = await loadState(eventStore, states, streams.config(customerId), tenantConfigFold);
      return originAllowed(origin, state.config.cors.allowedOrigins);
    },
  };
}
export type TenantOrigins = ReturnType<typeof createTenantOrigins>;

export const originNotAllowed = (detail: string) => new ProblemError(403, problemTypes.originNotAllowed, 'Origin not allowed', detail);

const publishableKeyNotAllowed = () =>
  new ProblemError(
    403,
    problemTypes.publishableKeyNotAllowed,
    'Publishable key not allowed',
    'a publishable key may only request and verify codes; call this from a server with a secret key',
  );

/**
 * The browser rules, after the key is known to be real: a publishable key
 * only on the routes that admit it and only from one of the tenant's allowed
 * origins; a secret key from a server (no Origin) or an allowed origin. The
 * Origin header proves nothing against a script outside a browser (it can send
 * any), so this guards against other web pages, not against a stolen key.
 */
export async function refuseBrowserMisuse(
  origins: TenantOrigins,
  principal: { customerId: string; kind: 'secret' | 'publishable' },
  request: KeyRequest,
): Promise<void> {
  if (principal.kind === 'publishable' && request.publishable !== 'allowed') throw publishableKeyNotAllowed();
  if (request.origin === undefined) {
    if (principal.kind === 'secret') return;
    throw originNotAllowed('a publishable key is accepted only from a browser page at one of the allowed origins');
  }
  if (!(await origins.allows(principal.customerId, request.origin))) {
    throw originNotAllowed('this origin is not in the allowed origins of the tenant config (cors.allowedOrigins)');
  }
}
