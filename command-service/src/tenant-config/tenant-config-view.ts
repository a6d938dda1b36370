import type { StoredEmailProvider, TenantConfigState, TenantConfigView } from '@otp/contracts';

/** The provider as GET shows it: whether a key is set, never the key, sealed or not. */
const providerView = (provider: StoredEmailProvider): TenantConfigView['email']['provider'] =>
  provider.kind === 'resend' ? { kind: 'resend', apiKeySet: true } : { kind: 'smtp' };

/** A version of the config as the API answers it. */
export function tenantConfigView({ version, changedAt, config }: TenantConfigState): TenantConfigView {
  return { version, changedAt, ...config, email: { ...config.email, provider: providerView(config.email.provider) } };
}
