import { authorizeApiKey, customerFold, parseApiKey, streams, type Scope } from '@otp/contracts';
import { apiKeyHash } from '../crypto/secret-hashes';
import { secretEquals } from '../crypto/secrets';
import { loadState } from '../event-store/load-state';
import type { EventStore } from '../event-store/port';
import type { StreamStateCache } from '../event-store/stream-state-cache';
import { problems } from '../http/problem-error';

export interface ApiKeyPrincipal {
  customerId: string;
  keyId: string;
  scopes: readonly Scope[];
}

export interface ApiKeyAuthenticatorOptions {
  eventStore: EventStore;
  /** The process's one cache of folded streams: the customer decider's commands keep the same entries current. */
  states: StreamStateCache;
  hashKey: Buffer;
}

/**
 * API key validity is decided from the customer stream (the write model), not
 * a read model: a key revoked a millisecond ago must stop working everywhere.
 * Every instance reads the stream (the events after the state it last folded),
 * so several instances agree without sharing memory. Here rather than in the
 * command service because both sides authenticate, and the query side never
 * imports the command side; the rule itself (authorizeApiKey over the folded
 * stream) is in contracts.
 */
export function createApiKeyAuthenticator({ eventStore, states, hashKey }: ApiKeyAuthenticatorOptions) {
  return async function authenticate(presented: string): Promise<ApiKeyPrincipal> {
    const parsed = parseApiKey(presented);
    if (!parsed) throw problems.invalidApiKey();
    const { state } = await loadState(eventStore, states, streams.customer(parsed.customerId), customerFold);
    const result = authorizeApiKey(state, parsed.keyId, apiKeyHash(hashKey, presented), secretEquals);
    // One answer for unknown, revoked and inactive: the caller learns nothing about other keys.
    if (!result.ok) throw problems.invalidApiKey();
    return { customerId: result.customerId, keyId: parsed.keyId, scopes: result.scopes };
  };
}
export type ApiKeyAuthenticator = ReturnType<typeof createApiKeyAuthenticator>;

export function requireScope(principal: ApiKeyPrincipal, scope: Scope): void {
  if (!principal.scopes.includes(scope)) throw problems.forbidden(scope);
}
