import {
  customerFold,
  streams,
  type EmailProviderBody,
  type StoredEmailProvider,
  type TenantConfigBody,
  type TenantConfigPatchBody,
  type TenantConfigState,
} from '@otp/contracts';
import { secretEquals } from '@otp/platform/crypto';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { tenantConfigDecider, type TenantConfigCommand } from './tenant-config-decider';
import { openTenantSecret, sealTenantSecret } from './tenant-secrets';

export type ConfigChange = { kind: 'replace'; config: TenantConfigBody } | { kind: 'patch'; patch: TenantConfigPatchBody };

/**
 * The provider as stored: a Resend key is sealed before the decider sees it. The key that is
 * stored already, sent again, keeps its sealed form (a fresh seal differs every time), so a
 * repeated PUT is no new version.
 */
function storedProvider(deps: CommandDeps, customerId: string, sent: EmailProviderBody, current: StoredEmailProvider): StoredEmailProvider {
  if (sent.kind === 'smtp') return sent;
  if (current.kind === 'resend' && sameSecret(deps, customerId, current.apiKeySealed, sent.apiKey)) return current;
  return { kind: 'resend', apiKeySealed: sealTenantSecret(deps.encryptionKey, customerId, sent.apiKey) };
}

// A key sealed under an encryption key since replaced does not open: then it is simply not the same key.
function sameSecret(deps: CommandDeps, customerId: string, sealed: string, presented: string): boolean {
  try {
    return secretEquals(openTenantSecret(deps.encryptionKey, customerId, sealed), presented);
  } catch {
    return false;
  }
}

type Write = { customerId: string; expectedVersion: number | undefined; senderDomains: TenantConfigCommand['senderDomains']; now: Date };

function commandFor(deps: CommandDeps, change: ConfigChange, state: TenantConfigState, write: Write): TenantConfigCommand {
  const { customerId } = write;
  const current = state.config.email.provider;
  if (change.kind === 'replace') {
    const { email, ...rest } = change.config;
    const config = { ...rest, email: { ...email, provider: storedProvider(deps, customerId, email.provider, current) } };
    return { ...write, type: 'ReplaceTenantConfig', config };
  }
  const { email, ...rest } = change.patch;
  if (email === undefined) return { ...write, type: 'PatchTenantConfig', patch: rest };
  const { provider, ...fields } = email;
  const sealed = provider !== undefined ? { provider: storedProvider(deps, customerId, provider, current) } : {};
  return { ...write, type: 'PatchTenantConfig', patch: { ...rest, email: { ...fields, ...sealed } } };
}

/** PUT or PATCH of the tenant's config: the state after it (the new version, or the current one when nothing changed). */
export async function changeTenantConfig(
  deps: CommandDeps,
  input: { customerId: string; expectedVersion: number | undefined; change: ConfigChange },
  ctx: CommandContext,
): Promise<{ state: TenantConfigState; position: bigint | undefined }> {
  const { customerId, expectedVersion, change } = input;
  // Domains are verified on the customer stream; one verified a moment after this read counts from the next write.
  const { domains } = await deps.commands.read(streams.customer(customerId), customerFold);
  const write = { customerId, expectedVersion, senderDomains: [...domains.values()], now: ctx.now };
  const handled = await deps.commands.handle(
    streams.config(customerId),
    tenantConfigDecider,
    (state: TenantConfigState) => commandFor(deps, change, state, write),
    ctx,
  );
  return { state: handled.state, position: handled.position };
}
