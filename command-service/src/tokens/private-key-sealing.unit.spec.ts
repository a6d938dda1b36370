import { describe, expect, it } from 'vitest';
import { encryptionKeyFromHashKey, openPrivateKey, parseEncryptionKey, sealPrivateKey } from './private-key-sealing';

const key = Buffer.alloc(32, 1);
const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'public-x', d: 'private-d-must-never-show' };

describe('sealing a signing key private half', () => {
  it('opens what it sealed, and the sealed text holds no part of the key in the clear', () => {
    const sealed = sealPrivateKey(key, 'kid-1', jwk);
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('private-d');
    expect(openPrivateKey(key, 'kid-1', sealed)).toEqual(jwk);
  });

  it('refuses another encryption key, naming the kid and never the key', () => {
    const sealed = sealPrivateKey(key, 'kid-1', jwk);
    expect(() => openPrivateKey(Buffer.alloc(32, 2), 'kid-1', sealed)).toThrow(/signing key kid-1 does not open/);
  });

  it('refuses a sealed key copied onto another kid', () => {
    expect(() => openPrivateKey(key, 'kid-2', sealPrivateKey(key, 'kid-1', jwk))).toThrow(/kid-2/);
  });

  it('takes an encryption key of exactly 32 bytes', () => {
    expect(parseEncryptionKey(key.toString('base64'))).toEqual(key);
    expect(() => parseEncryptionKey(Buffer.alloc(16).toString('base64'))).toThrow(/32 bytes/);
  });

  it('derives a key of its own purpose from the hash key', () => {
    const hashKey = Buffer.alloc(32, 9);
    expect(encryptionKeyFromHashKey(hashKey)).toHaveLength(32);
    expect(encryptionKeyFromHashKey(hashKey).equals(hashKey)).toBe(false);
  });
});
