import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { z } from 'zod';
import { loadOrCreateSecretFile } from '@otp/platform/crypto';

const StoredKey = z.object({
  kid: z.string(),
  alg: z.literal('EdDSA'),
  privateJwk: z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), d: z.string() }).loose(),
  createdAt: z.string(),
});
type StoredKey = z.infer<typeof StoredKey>;

export interface SigningKeys {
  kid: string;
  alg: 'EdDSA';
  /** Imported once at start: importing per signature costs more than the signature. */
  privateKey: CryptoKey | Uint8Array;
  /** The public half as served in the JWKS. */
  publicJwk: JWK;
}

/**
 * Loads the Ed25519 signing key kept in `file`, creating it on first start.
 * The kid is the RFC 7638 thumbprint, so it names the key without a registry.
 * Rotation (several keys in the JWKS) comes later; the JWKS already is a list.
 */
export async function loadOrCreateSigningKeys(file: string): Promise<SigningKeys> {
  // Generated before looking, because the file helper's create callback is synchronous; it is dropped when the file exists.
  const candidate = await newStoredKey();
  const { value } = loadOrCreateSecretFile(file, () => JSON.stringify(candidate));
  const stored = StoredKey.parse(JSON.parse(value));
  const { d: _private, ...publicPart } = stored.privateJwk;
  return {
    kid: stored.kid,
    alg: stored.alg,
    privateKey: await importJWK(stored.privateJwk as JWK, 'EdDSA'),
    publicJwk: { ...(publicPart as JWK), kid: stored.kid, alg: 'EdDSA', use: 'sig' },
  };
}

async function newStoredKey(): Promise<StoredKey> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { kid, alg: 'EdDSA', privateJwk: jwk as StoredKey['privateJwk'], createdAt: new Date().toISOString() };
}
