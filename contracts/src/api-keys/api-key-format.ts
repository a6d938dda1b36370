/**
 * `ok_<customer>_<key>_<secret>`. The public prefix names the customer and the
 * key, so authenticating reads one known stream (the customer's) without any
 * shared index; only the 256-bit secret is secret. The prefix also makes
 * leaked keys easy to spot with secret scanners.
 */
const KEY_PATTERN = /^ok_([0-9a-f]{16})_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  customerId: string;
  keyId: string;
  prefix: string;
}

export function parseApiKey(key: string): ParsedApiKey | undefined {
  const match = KEY_PATTERN.exec(key);
  if (!match) return undefined;
  return { customerId: `cus_${match[1]}`, keyId: `key_${match[2]}`, prefix: `ok_${match[1]}_${match[2]}` };
}

/** The key made of its parts: 6 random bytes in hex name it, 32 in base64url are its secret (the write side draws them). */
export function formatApiKey(customerId: string, keyHex: string, secret: string): ParsedApiKey & { key: string } {
  const prefix = `ok_${customerId.slice(4)}_${keyHex}`;
  return { customerId, keyId: `key_${keyHex}`, prefix, key: `${prefix}_${secret}` };
}
