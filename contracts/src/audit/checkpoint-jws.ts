import { CompactSign, compactVerify, createLocalJWKSet, type CryptoKey, type JSONWebKeySet, type KeyObject } from 'jose';
import { CHECKPOINT_TYP, CheckpointClaims } from '../http/audit-history';

/** The key a checkpoint is signed with: the service's current signing key. */
export interface CheckpointSigner {
  kid: string;
  alg: string;
  privateKey: CryptoKey | KeyObject | Uint8Array;
}

/** A compact JWS over the claims' JSON, typed so that no access-token verifier takes it for a token. */
export function signCheckpoint(claims: CheckpointClaims, key: CheckpointSigner): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: CHECKPOINT_TYP })
    .sign(key.privateKey);
}

/**
 * The claims of a checkpoint signed by one of `jwks`'s keys, or null: a bad signature, an
 * unknown kid, another `typ` (an access token is not a checkpoint) or claims of another shape.
 * Only EdDSA, the one algorithm the service signs with, so `none` and HMAC never get as far
 * as a signature check.
 */
export async function verifyCheckpoint(jws: string, jwks: JSONWebKeySet): Promise<CheckpointClaims | null> {
  try {
    const { payload, protectedHeader } = await compactVerify(jws, createLocalJWKSet(jwks), { algorithms: ['EdDSA'] });
    if (protectedHeader.typ !== CHECKPOINT_TYP) return null;
    const claims = CheckpointClaims.safeParse(JSON.parse(new TextDecoder().decode(payload)));
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}
