import type { EventOf } from '../events/registry';
import { DEFAULT_TENANT_CONFIG, type TenantConfig } from './tenant-config';

export type ConfigEvent = EventOf<'TenantConfigChanged'>;

export interface TenantConfigState {
  /** 0 until the tenant first writes its config (then the defaults apply). */
  version: number;
  config: TenantConfig;
  changedAt: string | null;
}

/**
 * The fold of a `config-<customer>` stream, shared by the config decider and by
 * every reader of a tenant's settings (OTP length, quotas, allowed origins...),
 * so they share one cached state per stream.
 */
export const tenantConfigFold = {
  initialState: (): TenantConfigState => ({ version: 0, config: DEFAULT_TENANT_CONFIG, changedAt: null }),
  evolve: (_state: TenantConfigState, event: ConfigEvent): TenantConfigState => ({
    version: event.data.version,
    config: event.data.config,
    changedAt: event.data.changedAt,
  }),
};
