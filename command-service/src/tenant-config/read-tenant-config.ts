import { streams, tenantConfigFold, type ConfigEvent, type TenantConfigState } from '@otp/contracts';
import type { CommandDeps } from '../handling/command-deps';

/** Neither: the current version. */
export interface ConfigVersionWanted {
  version?: number | undefined;
  /** The version in force at that time (the defaults, version 0, before the first write). */
  asOf?: Date | undefined;
}

/**
 * The current config, an earlier version, or the one in force at a time; null for a version
 * never written. Read from the stream on the write side, so the version answered is exactly the
 * one a following If-Match is compared with (a read model could be a version behind).
 */
export async function readTenantConfig(
  deps: Pick<CommandDeps, 'commands'>,
  customerId: string,
  { version, asOf }: ConfigVersionWanted,
): Promise<TenantConfigState | null> {
  const stream = streams.config(customerId);
  if (version === undefined && asOf === undefined) return deps.commands.read(stream, tenantConfigFold);
  if (version === 0) return tenantConfigFold.initialState();
  // Each event is a whole version: the answer is one event, never a replay of changes.
  const events = await deps.commands.history<ConfigEvent>(stream);
  const found =
    version !== undefined
      ? events.find((e) => e.data.version === version)
      : events.findLast((e) => Date.parse(e.data.changedAt) <= asOf!.getTime());
  if (found) return tenantConfigFold.evolve(tenantConfigFold.initialState(), found);
  return version === undefined ? tenantConfigFold.initialState() : null;
}
