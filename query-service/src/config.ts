import { z } from 'zod';
import { CommonEnv, DistributedEnv, EventStoreChoiceEnv, ServiceKeyEnv, withEventStoreChoice } from '@otp/platform/config';
import { ConnectionLimitsEnv, MetricsAccessEnv } from '@otp/platform/http';

/**
 * The query service on its own (distributed mode). It reads the event store too:
 * API key validity comes from the write model, so a revoked key is refused at
 * once instead of when the projection catches up.
 */
export const QueryServiceEnv = CommonEnv.extend({
  PORT: CommonEnv.shape.PORT.default(3002),
  ...DistributedEnv,
  ...EventStoreChoiceEnv,
  /** How often a read waiting on X-Min-Position asks MongoDB for the read models' checkpoint. */
  CHECKPOINT_POLL_MS: z.coerce.number().int().min(5).max(1_000).default(25),
  ...ServiceKeyEnv,
  ...ConnectionLimitsEnv,
  ...MetricsAccessEnv,
}).transform(withEventStoreChoice);
export type QueryServiceConfig = z.infer<typeof QueryServiceEnv>;
