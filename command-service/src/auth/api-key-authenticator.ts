import { streams, type Scope } from '@otp/contracts';
import { keyedHash, secretEquals } from '@otp/platform/crypto';
import type { EventStore } from '@otp/platform/event-store';
import { problems } from '@otp/platform/http';
import { authorizeApiKey } from '../customers/authorize-api-key';
import { customerDecider } from '../customers/customer-decider';
import { loadState } from '../handling/load-state';
import { parseApiKey } from './api-key-format';

export interface ApiKeyPrincipal {
  customerId: string;
  keyId: string;
  scopes: readonly Scope[];
}

/**
 * API key validity is decided from the customer stream (the write model), not
 * a read model: a key revoked a millisecond ago must stop working everywhere.
 * Every instance reads the stream (the events after the state it last folded),
 * so several instances agree without sharing memory.
 */
export function createApiKeyAuthenticator(eventStore: EventStore, hashKey: Buffer) {
  return async function authenticate(presented: string): Promise<ApiKeyPrincipal> {
    const parsed = parseApiKey(presented);
    if (!parsed) throw problems.invalidApiKey();
    const { state } = await loadState(eventStore, streams.customer(parsed.customerId), customerDecider);
    const result = authorizeApiKey(state, parsed.keyId, keyedHash(hashKey, 'api-key', presented), secretEquals);
    // One answer for unknown, revoked and inactive: the caller learns nothing about other keys.
    if (!result.ok) throw problems.invalidApiKey();
    return { customerId: result.customerId, keyId: parsed.keyId, scopes: result.scopes };
  };
}
export type ApiKeyAuthenticator = ReturnType<typeof createApiKeyAuthenticator>;

export function requireScope(principal: ApiKeyPrincipal, scope: Scope): void {
  if (!principal.scopes.includes(scope)) throw problems.forbidden(scope);
}
