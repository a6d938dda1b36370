import { keyedHash } from '@otp/platform/crypto';

/**
 * One spelling per address: trimmed, Unicode NFC, lower-cased. Lower-casing
 * the local part is technically lossy, but every large provider treats it as
 * case-insensitive, and two accounts for `Ann@x` and `ann@x` would be worse.
 */
export const normaliseEmail = (email: string): string => email.trim().normalize('NFC').toLowerCase();

/** The pseudonymous key that names an email's streams: per tenant, so keys cannot be joined across tenants. */
export const emailKeyOf = (hashKey: Buffer, customerId: string, normalisedEmail: string): string =>
  keyedHash(hashKey, 'email', `${customerId}\0${normalisedEmail}`);
