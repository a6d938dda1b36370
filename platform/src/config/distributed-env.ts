import { z } from 'zod';
import { SecretEnv } from './common-env';

/**
 * Settings the distributed services share. Secrets are required here, never
 * generated: several instances of a service must hold the very same ones.
 */
export const DistributedEnv = {
  /** e.g. `esdb://eventstoredb:2113?tls=false`; `esdb+discover://` for a cluster. */
  EVENTSTORE_URL: z.string().regex(/^esdb(\+discover)?:\/\/\S+$/, 'must be an esdb:// or esdb+discover:// connection string'),
  /** A replica set, a standalone server or FerretDB: read-model batches use no multi-document transaction. */
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

/**
 * Where a distributed service finds the event log. `esdb` (the default, what compose runs)
 * needs EVENTSTORE_URL; `sqlite` needs EVENT_STORE_FILE, one file that the command, query and
 * projection processes of one host share (WAL lets them; appends keep their expected-revision
 * check inside the write lock, and followers poll for the others' commits). The second is how
 * the services run as processes where EventStoreDB cannot, as in the distributed e2e tests.
 */
export const EventStoreChoiceEnv = {
  EVENT_STORE: z.enum(['esdb', 'sqlite']).default('esdb'),
  EVENTSTORE_URL: DistributedEnv.EVENTSTORE_URL.optional(),
  EVENT_STORE_FILE: z.string().min(1).optional(),
};

export type EventStoreChoice = { kind: 'esdb'; connectionString: string } | { kind: 'sqlite'; file: string };

interface EventStoreChoiceFields {
  EVENT_STORE: 'esdb' | 'sqlite';
  EVENTSTORE_URL?: string | undefined;
  EVENT_STORE_FILE?: string | undefined;
}

/**
 * For `.transform` on a service's env schema: the three variables become one `eventStore`
 * choice, and the variable the choice needs is an issue of its own when it is missing.
 */
export function withEventStoreChoice<T extends EventStoreChoiceFields>(
  config: T,
  ctx: z.RefinementCtx<T>,
): Omit<T, keyof EventStoreChoiceFields> & { eventStore: EventStoreChoice } {
  const { EVENT_STORE, EVENTSTORE_URL, EVENT_STORE_FILE, ...rest } = config;
  if (EVENT_STORE === 'esdb' && EVENTSTORE_URL !== undefined)
    return { ...rest, eventStore: { kind: 'esdb', connectionString: EVENTSTORE_URL } };
  if (EVENT_STORE === 'sqlite' && EVENT_STORE_FILE !== undefined)
    return { ...rest, eventStore: { kind: 'sqlite', file: EVENT_STORE_FILE } };
  const needed = EVENT_STORE === 'esdb' ? 'EVENTSTORE_URL' : 'EVENT_STORE_FILE';
  ctx.addIssue({ code: 'custom', path: [needed], message: `required when EVENT_STORE=${EVENT_STORE}` });
  return z.NEVER;
}
