import { describe, expect, it } from 'vitest';
import { derivedKey, openSecret, sealSecret, SealedSecretError } from './sealed-secret';

const key = Buffer.alloc(32, 3);

describe('sealed secrets', () => {
  it('opens what it sealed, and the sealed text holds nothing of the secret', () => {
    const sealed = sealSecret(key, 'cus_0123456789abcdef', 're_live_secret');
    expect(sealed).not.toContain('re_live');
    expect(openSecret(key, 'cus_0123456789abcdef', sealed)).toBe('re_live_secret');
  });

  it('refuses another key and another context, without naming either', () => {
    const sealed = sealSecret(key, 'tenant-a', 'secret');
    expect(() => openSecret(Buffer.alloc(32, 4), 'tenant-a', sealed)).toThrow(SealedSecretError);
    expect(() => openSecret(key, 'tenant-b', sealed)).toThrow(/does not open/);
    expect(() => openSecret(key, 'tenant-a', 'v2.x.y.z')).toThrow(/unknown format/);
  });

  it('derives different keys for different purposes', () => {
    expect(derivedKey(key, 'a').equals(derivedKey(key, 'b'))).toBe(false);
    expect(derivedKey(key, 'a')).toHaveLength(32);
  });
});
