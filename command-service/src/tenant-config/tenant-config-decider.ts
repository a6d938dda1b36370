import { isDeepStrictEqual } from 'node:util';
import {
  fromAddressUsesVerifiedDomain,
  tenantConfigFold,
  type ConfigEvent,
  type DomainState,
  type TenantConfig,
  type TenantConfigState,
} from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';
import { describeFault, templateFault } from './email-templates';

/** A PATCH as the decider sees it: any section, any field of it; arrays are values, replaced whole. */
export type TenantConfigPatch = {
  [Section in keyof TenantConfig]?: TenantConfig[Section] extends readonly unknown[]
    ? TenantConfig[Section]
    : Partial<TenantConfig[Section]>;
};

interface ConfigWrite {
  customerId: string;
  /** The version the writer read (If-Match); absent, the write applies to whatever is current. */
  expectedVersion?: number | undefined;
  /** The tenant's sending domains, from its customer stream: only a verified one may be in `email.from`. */
  senderDomains: readonly DomainState[];
  now: Date;
}

/** The provider key in `config` is sealed already: the decider never sees a secret. */
export type ReplaceTenantConfig = ConfigWrite & { type: 'ReplaceTenantConfig'; config: TenantConfig };
export type PatchTenantConfig = ConfigWrite & { type: 'PatchTenantConfig'; patch: TenantConfigPatch };
export type TenantConfigCommand = ReplaceTenantConfig | PatchTenantConfig;
export type { ConfigEvent, TenantConfigState } from '@otp/contracts';

// One level deep: every section is a flat object of values (or an array), so this is the whole merge.
function merged(config: TenantConfig, patch: TenantConfigPatch): TenantConfig {
  const section = <K extends keyof TenantConfig>(key: K): TenantConfig[K] => {
    const change = patch[key];
    if (change === undefined) return config[key];
    return (Array.isArray(change) ? change : { ...config[key], ...change }) as TenantConfig[K];
  };
  return {
    otp: section('otp'),
    email: section('email'),
    tokens: section('tokens'),
    quotas: section('quotas'),
    apiKeys: section('apiKeys'),
    cors: section('cors'),
    ipAllowlist: section('ipAllowlist'),
  };
}

// The precondition first: a stale writer is told so even when its write would have changed nothing.
function decideWrite(command: TenantConfigCommand, state: TenantConfigState): ConfigEvent[] {
  const { customerId, expectedVersion, now } = command;
  if (expectedVersion !== undefined && expectedVersion !== state.version) {
    throw new DomainError('config_version_conflict', `the config is at version ${state.version}, not ${expectedVersion}`, {
      currentVersion: state.version,
      expectedVersion,
    });
  }
  const config = command.type === 'ReplaceTenantConfig' ? command.config : merged(state.config, command.patch);
  const fault = templateFault(config.email);
  if (fault) throw new DomainError('invalid_template', describeFault(fault), { field: `email.${fault.field}` });
  // Mail from a domain the tenant has not shown it controls would be spoofing on our relay's name.
  const { from } = config.email;
  if (from !== null && !fromAddressUsesVerifiedDomain(from, command.senderDomains)) {
    throw new DomainError(
      'domain_not_verified',
      'email.from must use a sending domain the tenant has verified (POST /v1/customer/domains)',
      {
        field: 'email.from',
      },
    );
  }
  // Writing what holds already is no new version: a client may retry a PUT safely.
  if (isDeepStrictEqual(config, state.config)) return [];
  return [{ type: 'TenantConfigChanged', data: { customerId, version: state.version + 1, config, changedAt: now.toISOString() } }];
}

/** A tenant's config over `config-<customer>`: each change a whole new version, numbered one after the last. */
export const tenantConfigDecider: Decider<TenantConfigCommand, TenantConfigState, ConfigEvent> = {
  ...tenantConfigFold,
  decide: decideWrite,
};
