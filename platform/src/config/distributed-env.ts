import { z } from 'zod';
import { SecretEnv } from './common-env';

/**
 * Settings the distributed services share. Secrets are required here, never
 * generated: several instances of a service must hold the very same ones.
 */
export const DistributedEnv = {
  /** e.g. `esdb://eventstoredb:2113?tls=false`; `esdb+discover://` for a cluster. */
  EVENTSTORE_URL: z.string().regex(/^esdb(\+discover)?:\/\/\S+$/, 'must be an esdb:// or esdb+discover:// connection string'),
  /** Must reach a replica set: read-model batches are multi-document transactions. */
  MONGODB_URL: z.string().regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// connection string'),
  MONGODB_DB: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, 'must be a plain database name')
    .default('otp_auth'),
  /** Key for keyed hashes (API keys, codes, email keys): base64 of at least 32 bytes, the same on every instance. */
  HASH_KEY: z
    .string()
    .transform((encoded) => Buffer.from(encoded, 'base64'))
    .refine((key) => key.length >= 32, 'must be base64 of at least 32 bytes'),
  OPERATOR_TOKEN: SecretEnv,
};

/** `host:port` entries, comma separated. */
export const BrokerListEnv = z
  .string()
  .transform((list) =>
    list
      .split(',')
      .map((broker) => broker.trim())
      .filter((broker) => broker.length > 0),
  )
  .pipe(z.array(z.string().regex(/^[^\s:/]+:[0-9]{1,5}$/, 'must be host:port')).min(1, 'needs at least one broker'));
