import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

const VERSION = 'v1';

/**
 * A private JWK sealed with AES-256-GCM under the key-encryption key, the kid
 * as additional data: a sealed key copied onto another kid's event does not
 * open. `v1.<iv>.<ciphertext>.<tag>`, base64url, so the format can change.
 */
export function sealPrivateKey(encryptionKey: Buffer, kid: string, privateJwk: JWK): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv).setAAD(Buffer.from(kid));
  const sealed = Buffer.concat([cipher.update(JSON.stringify(privateJwk), 'utf8'), cipher.final()]);
  return [VERSION, iv, sealed, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** Throws when the key-encryption key is not the one that sealed it; the message names the kid, never the key. */
export function openPrivateKey(encryptionKey: Buffer, kid: string, sealed: string): JWK {
  const [version, iv, data, tag] = sealed.split('.');
  if (version !== VERSION || !iv || !data || !tag) throw new Error(`signing key ${kid}: sealed in an unknown format`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as JWK;
  } catch (error) {
    throw new Error(`signing key ${kid} does not open with this SIGNING_KEY_ENCRYPTION_KEY`, { cause: error });
  }
}

/** SIGNING_KEY_ENCRYPTION_KEY, base64 of exactly the 32 bytes AES-256 takes. */
export function parseEncryptionKey(encoded: string): Buffer {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new Error('SIGNING_KEY_ENCRYPTION_KEY must be base64 of 32 bytes');
  return key;
}

/** A key of its own purpose derived from the hash key (HKDF-SHA256), for deployments that set no SIGNING_KEY_ENCRYPTION_KEY. */
export function encryptionKeyFromHashKey(hashKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', hashKey, Buffer.alloc(0), 'otp-auth signing-key encryption v1', 32));
}
