import { z } from 'zod';
import { BrokerListEnv, CommonEnv, DistributedEnv, EventStoreChoiceEnv, SecretEnv, withEventStoreChoice } from '@otp/platform/config';
import { ConnectionLimitsEnv, MetricsAccessEnv } from '@otp/platform/http';
import { ReadModelRetentionEnv } from './retention/read-model-retention';

/**
 * The projection service on its own (distributed mode). It serves no tenant API, only health,
 * metrics and the operator's rebuild; its one secret is the operator's token, which both ask for
 * (`/metrics` unless METRICS_ACCESS=public; a rebuild always).
 */
export const ProjectionServiceEnv = CommonEnv.extend({
  PORT: CommonEnv.shape.PORT.default(3003),
  ...EventStoreChoiceEnv,
  MONGODB_URL: DistributedEnv.MONGODB_URL,
  MONGODB_DB: DistributedEnv.MONGODB_DB,
  ...ConnectionLimitsEnv,
  ...MetricsAccessEnv,
  OPERATOR_TOKEN: SecretEnv.optional(),
  /** `host:port[,host:port...]`: bootstrap brokers of the relay's producer. */
  KAFKA_BROKERS: BrokerListEnv,
  KAFKA_CLIENT_ID: z.string().min(1).default('otp-auth-relay'),
  /** The topic every event is relayed to; tests give each run one of its own on a shared broker. */
  KAFKA_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name')
    .default('otp-auth.events'),
  /** Partitions of the events topic when the relay creates it; per-tenant order holds for any count. */
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1_000).default(6),
  /** Copies of each partition when the relay creates the topic: 3 survives a broker loss; compose's single broker needs 1. */
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(7).default(3),
  /** How long a projection-service that stopped renewing keeps the lease: the longest a standby waits to take over. */
  LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(60_000).default(5_000),
  /** How often the holder renews the lease and a standby asks for it; at most a third of the TTL. */
  LEASE_RENEW_MS: z.coerce.number().int().min(100).max(20_000).default(1_000),
  ...ReadModelRetentionEnv,
})
  .refine((config) => config.LEASE_RENEW_MS * 3 <= config.LEASE_TTL_MS, {
    path: ['LEASE_RENEW_MS'],
    message: 'must be at most a third of LEASE_TTL_MS, so two renewals can fail before the lease runs out',
  })
  .refine((config) => config.METRICS_ACCESS === 'public' || config.OPERATOR_TOKEN !== undefined, {
    path: ['OPERATOR_TOKEN'],
    message: 'is required while METRICS_ACCESS=operator (the default); or set METRICS_ACCESS=public on a private METRICS_PORT',
  })
  .transform(withEventStoreChoice);
export type ProjectionServiceConfig = z.infer<typeof ProjectionServiceEnv>;
