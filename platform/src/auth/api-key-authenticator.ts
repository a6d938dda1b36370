import { authorizeApiKey, customerFold, parseApiKey, problemTypes, streams, type ApiKeyKind, type Plan, type Scope } from '@otp/contracts';
import { apiKeyHash } from '../crypto/secret-hashes';
import { secretEquals } from '../crypto/secrets';
import { loadState } from '../event-store/load-state';
import type { EventStore } from '../event-store/port';
import type { StreamStateCache } from '../event-store/stream-state-cache';
import { ProblemError, problems } from '../http/problem-error';
import { createTenantOrigins, refuseBrowserMisuse, type KeyRequest } from './browser-origins';

export interface ApiKeyPrincipal {
  customerId: string;
  keyId: string;
  scopes: readonly Scope[];
  /** A publishable key came from a browser page: its limits are per client address, not per key. */
  kind: ApiKeyKind;
  /** The customer's plan: the key's request rate follows it. */
  plan: Plan;
}

export interface ApiKeyAuthenticatorOptions {
  eventStore: EventStore;
  /** The process's one cache of folded streams: the customer decider's commands keep the same entries current. */
  states: StreamStateCache;
  hashKey: Buffer;
  /** Told of every key that got in (for its last use); must not throw or wait. */
  onAuthenticated?: (principal: ApiKeyPrincipal, at: Date) => void;
}

/** Only a caller holding the real secret of a live key gets here: telling it its account is off leaks nothing. */
const customerInactive = () =>
  new ProblemError(403, problemTypes.customerInactive, 'Customer inactive', 'the customer is suspended or cancelled; contact the operator');

/**
 * API key validity is decided from the customer stream (the write model), not
 * a read model: a key revoked a millisecond ago must stop working everywhere.
 * Every instance reads the stream (the events after the state it last folded),
 * so several instances agree without sharing memory. Here rather than in the
 * command service because both sides authenticate, and the query side never
 * imports the command side; the rule itself (authorizeApiKey over the folded
 * stream) is in contracts.
 */
export function createApiKeyAuthenticator({ eventStore, states, hashKey, onAuthenticated }: ApiKeyAuthenticatorOptions) {
  const origins = createTenantOrigins({ eventStore, states });
  /**
   * `request` says where the key came from (browser-origins.ts); `now` is the request's time: a
   * rotated key's grace ends at the same instant on every instance.
   */
  return async function authenticate(presented: string, request: KeyRequest, now = new Date()): Promise<ApiKeyPrincipal> {
    // Shape and checksum first: a typo costs no read.
    const parsed = parseApiKey(presented);
    if (!parsed) throw problems.invalidApiKey();
    const { state } = await loadState(eventStore, states, streams.customer(parsed.customerId), customerFold);
    const result = authorizeApiKey(state, parsed.keyId, apiKeyHash(hashKey, presented), secretEquals, now);
    if (!result.ok) {
      // The rule tells 'customer_inactive' only to the holder of a live key's secret; everyone else gets the one 401.
      if (result.reason === 'customer_inactive') throw customerInactive();
      throw problems.invalidApiKey();
    }
    const principal = {
      customerId: result.customerId,
      keyId: parsed.keyId,
      scopes: result.scopes,
      kind: result.kind,
      plan: state.plan ?? 'free',
    };
    await refuseBrowserMisuse(origins, principal, request);
    onAuthenticated?.(principal, now);
    return principal;
  };
}
export type ApiKeyAuthenticator = ReturnType<typeof createApiKeyAuthenticator>;

export function requireScope(principal: ApiKeyPrincipal, scope: Scope): void {
  if (!principal.scopes.includes(scope)) throw problems.forbidden(scope);
}
