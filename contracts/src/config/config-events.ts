import { z } from 'zod';
import { CustomerId, IsoTimestamp } from '../ids';
import { TenantConfig } from './tenant-config';

/** Version N of a tenant's config, whole (see tenant-config.ts); on the `config-<customer>` stream, version = N. */
export const TenantConfigChanged = z
  .object({
    customerId: CustomerId,
    version: z.number().int().min(1),
    config: TenantConfig,
    changedAt: IsoTimestamp,
  })
  .strict();
