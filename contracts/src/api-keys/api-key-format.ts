import { checksumOf } from './checksum';

/**
 * `ok_live_<customer>_<key>_<secret>_<checksum>`. The public prefix names the
 * customer and the key, so authenticating reads one known stream (the
 * customer's) without any shared index; only the 256-bit secret is secret.
 * The typed prefix lets secret scanners find leaked keys, and the CRC-32 at the
 * end tells a real key from a typo before any stream is read.
 */
const KEY_PATTERN = /^ok_live_([0-9a-f]{16})_([0-9a-f]{12})_[A-Za-z0-9_-]{43}_([0-9A-Za-z]{6})$/;
/** Keys issued before the checksum (`ok_<customer>_<key>_<secret>`): still valid, still parsed. */
const UNCHECKED_KEY_PATTERN = /^ok_([0-9a-f]{16})_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/;

export interface ParsedApiKey {
  customerId: string;
  keyId: string;
  prefix: string;
}

const parsed = (customerHex: string, keyHex: string, prefix: string): ParsedApiKey => ({
  customerId: `cus_${customerHex}`,
  keyId: `key_${keyHex}`,
  prefix,
});

/** The key's customer and key ids, or undefined when it is not a key (wrong shape, or a checksum that does not match). */
export function parseApiKey(key: string): ParsedApiKey | undefined {
  const current = KEY_PATTERN.exec(key);
  if (current) {
    const [, customerHex, keyHex, checksum] = current as unknown as [string, string, string, string];
    if (checksumOf(key.slice(0, -checksum.length - 1)) !== checksum) return undefined;
    return parsed(customerHex, keyHex, `ok_live_${customerHex}_${keyHex}`);
  }
  const unchecked = UNCHECKED_KEY_PATTERN.exec(key);
  if (!unchecked) return undefined;
  const [, customerHex, keyHex] = unchecked as unknown as [string, string, string];
  return parsed(customerHex, keyHex, `ok_${customerHex}_${keyHex}`);
}

/** The key made of its parts: 6 random bytes in hex name it, 32 in base64url are its secret (the write side draws them). */
export function formatApiKey(customerId: string, keyHex: string, secret: string): ParsedApiKey & { key: string } {
  const prefix = `ok_live_${customerId.slice(4)}_${keyHex}`;
  const body = `${prefix}_${secret}`;
  return { customerId, keyId: `key_${keyHex}`, prefix, key: `${body}_${checksumOf(body)}` };
}
