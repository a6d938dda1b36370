import type { ApiKeyKind } from '../ids';
import { checksumOf } from './checksum';

/**
 * A secret key (`ok_`) stays on a tenant's servers; a publishable one (`pk_`)
 * ships in a web page, so it may only request and verify codes, and only from
 * the tenant's allowed origins.
 */
const TYPE_OF: Record<ApiKeyKind, string> = { secret: 'ok', publishable: 'pk' };

/**
 * `ok_live_<customer>_<key>_<secret>_<checksum>` (`pk_live_...` for a
 * publishable key). The public prefix names the customer and the key, so
 * authenticating reads one known stream (the customer's) without any shared
 * index; only the 256-bit secret is secret. The typed prefix lets secret
 * scanners find leaked keys (and tell the kinds apart), and the CRC-32 at the
 * end tells a real key from a typo before any stream is read.
 */
const KEY_PATTERN = /^(ok|pk)_live_([0-9a-f]{16})_([0-9a-f]{12})_[A-Za-z0-9_-]{43}_([0-9A-Za-z]{6})$/;
/** Keys issued before the checksum (`ok_<customer>_<key>_<secret>`): still valid, still parsed. */
const UNCHECKED_KEY_PATTERN = /^ok_([0-9a-f]{16})_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

export interface ParsedApiKey {
  customerId: string;
  keyId: string;
  prefix: string;
  kind: ApiKeyKind;
}

const parsed = (customerHex: string, keyHex: string, prefix: string, kind: ApiKeyKind): ParsedApiKey => ({
  customerId: `cus_${customerHex}`,
  keyId: `key_${keyHex}`,
  prefix,
  kind,
});

/** The kind a prefix names: only `pk_` is publishable (the keys issued before kinds existed are all secret). */
export const kindOfPrefix = (prefix: string): ApiKeyKind => (prefix.startsWith('pk_') ? 'publishable' : 'secret');

/** The key's customer and key ids, or undefined when it is not a key (wrong shape, or a checksum that does not match). */
export function parseApiKey(key: string): ParsedApiKey | undefined {
  const current = KEY_PATTERN.exec(key);
  if (current) {
    const [, type, customerHex, keyHex, checksum] = current as unknown as [string, string, string, string, string];
    if (checksumOf(key.slice(0, -checksum.length - 1)) !== checksum) return undefined;
    const prefix = `${type}_live_${customerHex}_${keyHex}`;
    return parsed(customerHex, keyHex, prefix, kindOfPrefix(prefix));
  }
  const unchecked = UNCHECKED_KEY_PATTERN.exec(key);
  if (!unchecked) return undefined;
  const [, customerHex, keyHex] = unchecked as unknown as [string, string, string];
  return parsed(customerHex, keyHex, `ok_${customerHex}_${keyHex}`, 'secret');
}

/** The key made of its parts: 6 random bytes in hex name it, 32 in base64url are its secret (the write side draws them). */
export function formatApiKey(
  customerId: string,
  keyHex: string,
  secret: string,
  kind: ApiKeyKind = 'secret',
): ParsedApiKey & { key: string } {
  const prefix = `${TYPE_OF[kind]}_live_${customerId.slice(4)}_${keyHex}`;
  const body = `${prefix}_${secret}`;
  return { customerId, keyId: `key_${keyHex}`, prefix, kind, key: `${body}_${checksumOf(body)}` };
}
