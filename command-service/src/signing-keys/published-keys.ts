import type { SigningKeysState, StoredSigningKey } from './signing-key-decider';

/**
 * Slack past a retired key's last expiry: a token signed by an instance that
 * had not yet seen the rotation carries an `iat` a moment after `retiredAt`,
 * and verifiers' clocks drift.
 */
export const RETIRED_KEY_SLACK_SECONDS = 60;

/**
 * The keys a verifier may still meet: the current one and each retired key
 * whose last token (signed at `retiredAt` at the latest) has not expired yet.
 * Decided from the events and the given time, so every instance serves the same list.
 */
export function publishedKeys(state: SigningKeysState, now: Date, accessTokenTtlSeconds: number): StoredSigningKey[] {
  const keepMs = (accessTokenTtlSeconds + RETIRED_KEY_SLACK_SECONDS) * 1000;
  return state.keys.filter((key) => key.retiredAt === undefined || new Date(key.retiredAt).getTime() + keepMs > now.getTime());
}
