import { derivedKey, openSecret, sealSecret, SealedSecretError } from '@otp/platform/crypto';
import type { JWK } from 'jose';

/** A private JWK sealed under the key-encryption key, the kid as additional data: a sealed key copied onto another kid's event does not open. */
export function sealPrivateKey(encryptionKey: Buffer, kid: string, privateJwk: JWK): string {
  return sealSecret(encryptionKey, kid, JSON.stringify(privateJwk));
}

/** Throws when the key-encryption key is not the one that sealed it; the message names the kid, never the key. */
export function openPrivateKey(encryptionKey: Buffer, kid: string, sealed: string): JWK {
  try {
    return JSON.parse(openSecret(encryptionKey, kid, sealed)) as JWK;
  } catch (error) {
    const reason =
      error instanceof SealedSecretError && error.message.includes('format')
        ? 'is sealed in an unknown format'
        : 'does not open with this SIGNING_KEY_ENCRYPTION_KEY';
    throw new Error(`signing key ${kid} ${reason}`, { cause: error });
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
  return derivedKey(hashKey, 'otp-auth signing-key encryption v1');
}
