import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { z } from 'zod';
import { loadOrCreateSecretFile } from '@otp/platform/crypto';

export const PrivateJwk = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), d: z.string() }).loose();

const StoredKey = z.object({
  kid: z.string(),
  alg: z.literal('EdDSA'),
  privateJwk: PrivateJwk,
  createdAt: z.string(),
});

/** A key pair as generated or kept in a file: the private JWK still in the clear, so it never leaves this process. */
export interface PrivateSigningKey {
  kid: string;
  privateJwk: z.infer<typeof PrivateJwk>;
}

/** A key ready to sign with. */
export interface SigningKey {
  kid: string;
  alg: 'EdDSA';
  /** Imported once: importing per signature costs more than the signature. */
  privateKey: CryptoKey | Uint8Array;
  /** The public half as served in the JWKS. */
  publicJwk: JWK;
}

/** Where the token issuer gets the key to sign with now, and the JWKS the keys a verifier may still meet. */
export interface SigningKeySource {
  current(now: Date): Promise<SigningKey>;
  published(now: Date): Promise<JWK[]>;
}

/** The public half, without `d`: what the JWKS and the key's event carry. */
export function publicHalf(privateJwk: PrivateSigningKey['privateJwk']): { kty: 'OKP'; crv: 'Ed25519'; x: string } {
  return { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x };
}

export const servedJwk = (kid: string, publicJwk: ReturnType<typeof publicHalf>): JWK => ({ ...publicJwk, kid, alg: 'EdDSA', use: 'sig' });

export async function importSigningKey(key: PrivateSigningKey): Promise<SigningKey> {
  return {
    kid: key.kid,
    alg: 'EdDSA',
    privateKey: await importJWK(key.privateJwk as JWK, 'EdDSA'),
    publicJwk: servedJwk(key.kid, publicHalf(key.privateJwk)),
  };
}

/** A new Ed25519 pair. The kid is the RFC 7638 thumbprint, so it names the key without a registry. */
export async function generateSigningKey(): Promise<PrivateSigningKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = PrivateJwk.parse(await exportJWK(privateKey));
  return { kid: await calculateJwkThumbprint(jwk), privateJwk: jwk };
}

/**
 * The Ed25519 key kept in `file` (DATA_DIR/signing-key.json, SIGNING_KEY_FILE),
 * created on first start: the key the service signed with before keys had a
 * stream. It becomes the stream's first key, so tokens it signed keep verifying.
 */
export async function loadOrCreateKeyFile(file: string): Promise<PrivateSigningKey> {
  // Generated before looking, because the file helper's create callback is synchronous; it is dropped when the file exists.
  const candidate = await generateSigningKey();
  const created = { ...candidate, alg: 'EdDSA', createdAt: new Date().toISOString() };
  const { value } = loadOrCreateSecretFile(file, () => JSON.stringify(created));
  const stored = StoredKey.parse(JSON.parse(value));
  return { kid: stored.kid, privateJwk: stored.privateJwk };
}

/** One key from a file that never rotates: for a process without a key stream, such as a use-case spec. */
export async function loadOrCreateSigningKeys(file: string): Promise<SigningKeySource> {
  const key = await importSigningKey(await loadOrCreateKeyFile(file));
  return { current: async () => key, published: async () => [key.publicJwk] };
}
