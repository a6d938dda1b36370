import { apiKeyHash, createConsistencyTokens, emailKey, otpCodeHash, signupCustomerId, signupEmailKey } from '@otp/platform/crypto';
import { normaliseEmail } from '../../command-service/src/users/emails';

/**
 * The secrets the route specifications' server runs with, and the server's own hash functions
 * over them: a given event holds what the server would have stored, so a key or a code a spec
 * presents is checked exactly as a real one is. Every hash a spec needs is made here.
 */
export const SPEC_HASH_KEY = Buffer.alloc(32, 0x5e);
export const SPEC_OPERATOR_TOKEN = 'op_route_spec_token_that_is_long_enough_0123';
export const SPEC_SERVICE_KEY = 'svc_route_spec_key_that_is_long_enough_0123';

/** What `ApiKeyIssued.keyHash` holds for `key`. */
export const storedApiKeyHash = (key: string): string => apiKeyHash(SPEC_HASH_KEY, key);

/** What `OtpRequested.codeHash` holds for `code` sent for `challengeId`. */
export const storedCodeHash = (challengeId: string, code: string): string => otpCodeHash(SPEC_HASH_KEY, challengeId, code);

/** The keyed hash that names an email's OTP stream and is kept in its events. */
export const emailKeyFor = (customerId: string, email: string): string => emailKey(SPEC_HASH_KEY, customerId, normaliseEmail(email));

/** The keyed hash that names an email's signup stream. */
export const signupEmailKeyFor = (email: string): string => signupEmailKey(SPEC_HASH_KEY, normaliseEmail(email));

/** The customer id a signup of `email` registers. */
export const signupCustomerIdFor = (email: string): string => signupCustomerId(SPEC_HASH_KEY, normaliseEmail(email));
/** The server's consistency tokens (`X-Event-Position`): a spec opens what a write answered, or seals a position to wait for. */
export const specConsistency = createConsistencyTokens(SPEC_HASH_KEY);

/** How a consistency token looks from outside: sealed, with no digits of a position to read. */
export const CONSISTENCY_TOKEN = /^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
