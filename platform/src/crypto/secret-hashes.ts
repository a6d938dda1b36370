import { keyedHash } from './secrets';

// Every keyed hash the service stores or names a stream with, one function per
// purpose, and the purpose strings nowhere else: one hash can never stand in
// for another, and no caller reaches into a sibling for the input's layout.
// The values are stored (events, stream names), so a purpose or a layout never
// changes: secret-hashes.unit.spec.ts pins each output.

/** What an ApiKeyIssued event stores of the key, and what a presented key is compared with. */
export const apiKeyHash = (hashKey: Buffer, apiKey: string): string => keyedHash(hashKey, 'api-key', apiKey);

/** Bound to the challenge id, so a code's hash says nothing about the same digits sent for another challenge. */
export const otpCodeHash = (hashKey: Buffer, challengeId: string, code: string): string =>
  keyedHash(hashKey, 'otp-code', `${challengeId}\0${code}`);

/** The pseudonymous key that names an email's streams: per tenant, so keys cannot be joined across tenants. */
export const emailKey = (hashKey: Buffer, customerId: string, normalisedEmail: string): string =>
  keyedHash(hashKey, 'email', `${customerId}\0${normalisedEmail}`);

/** What a SessionStarted event stores of the refresh token. */
export const refreshTokenHash = (hashKey: Buffer, token: string): string => keyedHash(hashKey, 'refresh-token', token);

/** Both sides of the operator check are hashed, so the constant-time compare sees equal lengths. */
export const operatorTokenHash = (hashKey: Buffer, token: string): string => keyedHash(hashKey, 'operator-token', token);

/** Names a self-service signup's stream (`signup-<this>`): one per email across the deployment, no tenant in it. */
export const signupEmailKey = (hashKey: Buffer, normalisedEmail: string): string => keyedHash(hashKey, 'signup-email', normalisedEmail);

/**
 * The id a self-service signup's customer gets, derived from its email: one email can only ever
 * name one `customer-<id>` stream, so a second signup finds the first instead of making another.
 * Keyed, so the id says nothing about the email to whoever sees it in a key or a URL.
 */
export const signupCustomerId = (hashKey: Buffer, normalisedEmail: string): string =>
  `cus_${Buffer.from(keyedHash(hashKey, 'signup-customer-id', normalisedEmail), 'base64url')
    .toString('hex')
    .slice(0, 16)}`;

/** Both sides of the service-key check are hashed, so the constant-time compare sees equal lengths. */
export const serviceKeyHash = (hashKey: Buffer, key: string): string => keyedHash(hashKey, 'service-key', key);
/** Names an end user's address in a limit's bucket and its RateLimitExceeded event: per tenant, never the address itself. */
export const clientAddressKey = (hashKey: Buffer, customerId: string, address: string): string =>
  keyedHash(hashKey, 'client-address', `${customerId}\0${address}`).slice(0, 32);
