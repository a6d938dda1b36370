import { z } from 'zod';
import { IsoTimestamp } from '../ids';

/** The public half only: strict, so a JWK carrying its private `d` cannot be written as one. */
export const PublicSigningJwk = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string().min(1) }).strict();

/**
 * A signing key joined the deployment's key stream: published in the JWKS from
 * now on, signing only once activated (the next rotation), so verifiers that
 * cache the JWKS hold it before the first token it signs. The private half is
 * sealed (AES-256-GCM under the key-encryption key, bound to the kid), never in the clear.
 */
export const SigningKeyAdded = z
  .object({
    kid: z.string().min(1),
    alg: z.literal('EdDSA'),
    publicJwk: PublicSigningJwk,
    encryptedPrivateKey: z.string().min(1),
    addedAt: IsoTimestamp,
  })
  .strict();

/** The key that signs from the next token on. */
export const SigningKeyActivated = z.object({ kid: z.string().min(1), activatedAt: IsoTimestamp }).strict();

/**
 * A key stopped signing: its successor signs from the next request on. Its
 * public half stays in the JWKS until the last token it signed has expired,
 * which `retiredAt` and the access-token lifetime tell every instance alike.
 */
export const SigningKeyRetired = z.object({ kid: z.string().min(1), successorKid: z.string().min(1), retiredAt: IsoTimestamp }).strict();
