import type { ApiKeyKind, Scope } from '../ids';
import { keyIsLive, type CustomerState } from './customer-state';

/** Compares a stored hash with a presented one; the caller passes a constant-time one (crypto.timingSafeEqual). */
export type HashEquals = (stored: string, presented: string) => boolean;

export type ApiKeyAuthorization =
  | { ok: true; customerId: string; scopes: readonly Scope[]; kind: ApiKeyKind }
  | { ok: false; reason: 'unknown_key' | 'revoked' | 'customer_inactive' };

/**
 * Whether a presented key is valid for this customer at `now` (the request's
 * time). A wrong secret reads as 'unknown_key', and revocation or suspension
 * is only revealed to a caller who holds the real secret: the key id is public
 * (it is in the prefix), so anything told to a caller without the secret would
 * leak account state. A rotated key whose grace has run out reads as revoked.
 */
export function authorizeApiKey(
  state: CustomerState,
  keyId: string,
  presentedKeyHash: string,
  hashEquals: HashEquals,
  now: Date,
): ApiKeyAuthorization {
  const key = state.keys.get(keyId);
  if (!key || state.customerId === null || !hashEquals(key.keyHash, presentedKeyHash)) {
    return { ok: false, reason: 'unknown_key' };
  }
  if (!keyIsLive(key, now)) return { ok: false, reason: 'revoked' };
  if (state.status !== 'active') return { ok: false, reason: 'customer_inactive' };
  return { ok: true, customerId: state.customerId, scopes: key.scopes, kind: key.kind };
}
