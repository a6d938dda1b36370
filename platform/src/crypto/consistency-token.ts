import { derivedKey, openSecret, SealedSecretError, sealSecret } from './sealed-secret';

/**
 * Read-your-writes without telling a position: a write answers with its last event's global
 * position sealed (AES-256-GCM, a key derived from the hash key, a fresh IV each time), and a
 * read hands the token back to wait for it. Bound to its audience (the tenant that wrote, or the
 * operator), so another tenant's token does not open; zero-padded, so even its length says
 * nothing about how far the log has grown. Both sides derive the key from the shared hash key,
 * so a token from one command-service instance opens on any query-service instance.
 */
export interface ConsistencyTokens {
  issue(audience: string, position: bigint): string;
  /** The position, or undefined when this is not a token issued to `audience` with this key. */
  open(audience: string, token: string): bigint | undefined;
}

const POSITION_DIGITS = 19;
// Sealed tokens are short; the bound keeps a header of any size from reaching the cipher.
const MAX_TOKEN_LENGTH = 200;

export function createConsistencyTokens(hashKey: Buffer): ConsistencyTokens {
  const key = derivedKey(hashKey, 'consistency-token');
  const context = (audience: string) => `consistency-token\0${audience}`;
  return {
    issue: (audience, position) => sealSecret(key, context(audience), position.toString().padStart(POSITION_DIGITS, '0')),
    open(audience, token) {
      if (token.length > MAX_TOKEN_LENGTH) return undefined;
      try {
        const digits = openSecret(key, context(audience), token);
        return /^[0-9]{19}$/.test(digits) ? BigInt(digits) : undefined;
      } catch (error) {
        if (error instanceof SealedSecretError) return undefined;
        throw error;
      }
    },
  };
}
