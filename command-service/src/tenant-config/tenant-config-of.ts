import { streams, tenantConfigFold, type TenantConfig } from '@otp/contracts';
import type { CommandDeps } from '../handling/command-deps';

/**
 * The config in force for a tenant's next request (code length, lifetimes, templates): one read
 * of the stream's tail past the cached state, so a change on any instance holds from the next request on.
 */
export async function tenantConfigOf(deps: Pick<CommandDeps, 'commands'>, customerId: string): Promise<TenantConfig> {
  return (await deps.commands.read(streams.config(customerId), tenantConfigFold)).config;
}
