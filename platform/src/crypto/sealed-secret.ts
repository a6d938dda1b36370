import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';

export class SealedSecretError extends Error {
  override readonly name = 'SealedSecretError';
}

/**
 * A secret that must be stored (a signing key's private half, a tenant's email
 * provider key) sealed with AES-256-GCM; `context` is the additional data, so a
 * sealed value copied onto another record (another kid, another tenant) does
 * not open. `v1.<iv>.<ciphertext>.<tag>`, base64url, so the format can change.
 */
export function sealSecret(encryptionKey: Buffer, context: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv).setAAD(Buffer.from(context));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, sealed, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** Throws SealedSecretError (naming neither key nor secret) when the format, key or context is not the sealing one. */
export function openSecret(encryptionKey: Buffer, context: string, sealed: string): string {
  const [version, iv, data, tag] = sealed.split('.');
  if (version !== VERSION || !iv || !data || !tag) throw new SealedSecretError('sealed in an unknown format');
  try {
    const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new SealedSecretError('does not open with this key', { cause: error });
  }
}

/** A key of one purpose derived (HKDF-SHA256) from another, so one secret in the environment serves several uses without reuse. */
export function derivedKey(from: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', from, Buffer.alloc(0), purpose, 32));
}
