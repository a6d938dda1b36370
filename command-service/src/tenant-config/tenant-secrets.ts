import { derivedKey, openSecret, sealSecret } from '@otp/platform/crypto';

// Its own key, derived from the key-encryption key the signing keys use: one secret to keep, no key used for two purposes.
export const TENANT_SECRETS_PURPOSE = 'otp-auth tenant secrets v1';

/**
 * A tenant's secret (its email provider's API key) sealed for storage in its config; the
 * customer id is the additional data, so a sealed key copied into another tenant's config does not open.
 */
export function sealTenantSecret(encryptionKey: Buffer, customerId: string, secret: string): string {
  return sealSecret(derivedKey(encryptionKey, TENANT_SECRETS_PURPOSE), customerId, secret);
}

/** Throws SealedSecretError, naming neither key nor secret, when it was sealed for another tenant or under another key. */
export function openTenantSecret(encryptionKey: Buffer, customerId: string, sealed: string): string {
  return openSecret(derivedKey(encryptionKey, TENANT_SECRETS_PURPOSE), customerId, sealed);
}
