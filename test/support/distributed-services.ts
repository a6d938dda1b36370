import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { httpClient, type HttpCall } from './http';
import { OPERATOR_TOKEN, startServer, type ServerProcess } from './server-process';

const entry = (name: string) => resolve(import.meta.dirname, `../../dist/${name}.js`);

export interface DistributedSetup {
  /** Folder of the shared SQLite event store and the signing key. */
  root: string;
  kafkaBrokers: string;
  mongoUrl: string;
  /** A database and a topic of this run's own, on the shared servers. */
  database: string;
  topic: string;
  smtpUrl: string;
}

/** What every instance must share: the secrets and the one events file. */
function sharedEnv(setup: DistributedSetup, hashKey: string) {
  return {
    EVENT_STORE: 'sqlite',
    EVENT_STORE_FILE: join(setup.root, 'events.sqlite'),
    HASH_KEY: hashKey,
    OPERATOR_TOKEN,
  };
}

/** A projection-service instance (there may be several) over the run's database and topic. */
export function startProjectionService(setup: DistributedSetup, hashKey: string, database = setup.database, topic = setup.topic) {
  return startServer(
    {
      ...sharedEnv(setup, hashKey),
      MONGODB_URL: setup.mongoUrl,
      MONGODB_DB: database,
      KAFKA_BROKERS: setup.kafkaBrokers,
      KAFKA_TOPIC: topic,
      KAFKA_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TOPIC_PARTITIONS: '3',
    },
    30_000,
    entry('projection-service'),
  );
}

/**
 * The three services as processes (the bundles `npm run start:*` runs), each on a port of its
 * own, and a client that routes each request the way deploy/gateway/Caddyfile does.
 */
export async function startDistributedServices(setup: DistributedSetup) {
  const hashKey = randomBytes(32).toString('base64');
  const command = await startServer(
    {
      ...sharedEnv(setup, hashKey),
      SIGNING_KEY_FILE: join(setup.root, 'signing-key.json'),
      // The OTP quotas are counted against the usage read model.
      MONGODB_URL: setup.mongoUrl,
      MONGODB_DB: setup.database,
      SMTP_URL: setup.smtpUrl,
      JWT_ISSUER: 'http://127.0.0.1/',
    },
    15_000,
    entry('command-service'),
  );
  const query = await startServer(
    { ...sharedEnv(setup, hashKey), MONGODB_URL: setup.mongoUrl, MONGODB_DB: setup.database, CHECKPOINT_POLL_MS: '25' },
    15_000,
    entry('query-service'),
  );
  const projections: ServerProcess[] = [await startProjectionService(setup, hashKey)];
  return {
    /** HASH_KEY of all three, base64: what their consistency tokens are sealed with. */
    hashKey,
    command,
    query,
    projections,
    http: gatewayClient(command.baseUrl, query.baseUrl),
    /** Another projection-service: a standby while another holds the lease of the same database. */
    async addProjectionService(database = setup.database, topic = setup.topic): Promise<ServerProcess> {
      const started = await startProjectionService(setup, hashKey, database, topic);
      projections.push(started);
      return started;
    },
    async stop(): Promise<void> {
      await Promise.all([command.stop(), query.stop(), ...projections.map((p) => p.stop())]);
    },
  };
}

/** The reads the gateway sends to the command service, as deploy/gateway/Caddyfile's @commandReads lists them. */
function commandReads(): ((path: string) => boolean)[] {
  const caddyfile = readFileSync(resolve(import.meta.dirname, '../../deploy/gateway/Caddyfile'), 'utf8');
  const line = /^\s*@commandReads path (.+)$/m.exec(caddyfile);
  if (!line) throw new Error('deploy/gateway/Caddyfile has no @commandReads path line');
  return line[1]!
    .trim()
    .split(/\s+/)
    .map((pattern) => (pattern.endsWith('*') ? (path) => path.startsWith(pattern.slice(0, -1)) : (path) => path === pattern));
}

/** The gateway's table: writes and the command side's reads to the command service, every other read to the query service. */
function gatewayClient(commandUrl: string, queryUrl: string): HttpCall {
  const toCommand = httpClient(commandUrl);
  const toQuery = httpClient(queryUrl);
  const reads = commandReads();
  return (method, path, options) => {
    const bare = path.split('?')[0]!;
    const toCommandSide = (method !== 'GET' && method !== 'HEAD') || reads.some((matches) => matches(bare));
    return (toCommandSide ? toCommand : toQuery)(method, path, options);
  };
}
