import type { StoredEmailProvider } from '@otp/contracts';
import type { Logger } from '@otp/platform/logging';
import { EmailDeliveryError, type Mailer } from './mailer';
import { createResendSender, type ResendSettings } from './resend-sender';
import { openTenantSecret } from '../tenant-config/tenant-secrets';

export { TENANT_SECRETS_PURPOSE } from '../tenant-config/tenant-secrets';

/** Senders kept at most; a tenant that changes its key leaves one behind, so the map is bounded. */
export const TENANT_SENDERS_KEPT = 10_000;

export interface TenantMailersOptions {
  /** The deployment's own mailer (its SMTP relay, or the dev mailbox): tenants on `{kind: 'smtp'}` use it. */
  relay: Mailer;
  /** The key-encryption key (the signing keys' own); the tenant-secrets key is derived from it. */
  encryptionKey: Buffer;
  /** The sender for tenants whose config names none. */
  from: string;
  resend: ResendSettings;
  logger: Logger;
}

/** Which mailer sends a tenant's email: its config's provider, with the tenant's own key. */
export interface TenantMailers {
  for(customerId: string, provider: StoredEmailProvider): Mailer;
}

/**
 * Made once per process (a composition root). A sealed key is opened once and
 * its sender kept per (customer, sealed value): a new key is a new sealed
 * value, so a change takes effect at the next email with no invalidation. A
 * key that does not open is a sender that fails every send as
 * `misconfigured`, logged once with the customer and never the key.
 */
export function createTenantMailers(options: TenantMailersOptions): TenantMailers {
  const senders = new Map<string, Mailer>();

  const open = (customerId: string, apiKeySealed: string): Mailer => {
    try {
      return createResendSender(openTenantSecret(options.encryptionKey, customerId, apiKeySealed), options.from, options.resend);
    } catch (error) {
      options.logger.error({ customerId, err: (error as Error).message }, "tenant's email provider key does not open");
      return {
        provider: 'resend',
        send: () => Promise.reject(new EmailDeliveryError('resend', 'misconfigured', 'sealed key does not open')),
        close: async () => {},
      };
    }
  };

  return {
    for(customerId, provider) {
      if (provider.kind === 'smtp') return options.relay;
      // A customer id has no newline, so the pair cannot collide.
      const cacheKey = `${customerId}\n${provider.apiKeySealed}`;
      let sender = senders.get(cacheKey);
      if (!sender) {
        sender = open(customerId, provider.apiKeySealed);
        senders.set(cacheKey, sender);
        if (senders.size > TENANT_SENDERS_KEPT) senders.delete(senders.keys().next().value as string);
      }
      return sender;
    },
  };
}
