import { describe, expect, it } from 'vitest';
import { formatApiKey, kindOfPrefix, parseApiKey } from './api-key-format';

const customerId = 'cus_00000000000000a1';
const secret = 'A'.repeat(43);

describe('the two kinds of key', () => {
  it.each([
    ['secret', 'ok_live_'],
    ['publishable', 'pk_live_'],
  ] as const)('formats and parses a %s key with its own typed prefix', (kind, type) => {
    const formatted = formatApiKey(customerId, '0000000000b2', secret, kind);
    expect(formatted.key.startsWith(`${type}00000000000000a1_0000000000b2_`)).toBe(true);
    expect(parseApiKey(formatted.key)).toEqual({ customerId, keyId: 'key_0000000000b2', prefix: formatted.prefix, kind });
  });

  it('refuses a publishable key whose type was changed to secret: the checksum covers the prefix', () => {
    const { key } = formatApiKey(customerId, '0000000000b2', secret, 'publishable');
    expect(parseApiKey(`ok${key.slice(2)}`)).toBeUndefined();
  });

  it('reads the kind from a prefix, every key issued before kinds being secret', () => {
    expect(kindOfPrefix('pk_live_00000000000000a1_0000000000b2')).toBe('publishable');
    expect(kindOfPrefix('ok_live_00000000000000a1_0000000000b2')).toBe('secret');
    expect(kindOfPrefix('ok_00000000000000a1_0000000000b2')).toBe('secret');
  });
});
