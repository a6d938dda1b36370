import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { buildBundle } from './build';
import type { DistributedServers } from './distributed-servers';
import { startDistributedServices } from './distributed-services';
import { dropDatabase } from './mongo-database';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

export interface DistributedRun {
  /** Where the shared event store file and the services' files are. */
  readonly root: string;
  readonly smtp: SmtpSink;
  readonly services: Awaited<ReturnType<typeof startDistributedServices>>;
  /** The MongoDB database and Kafka topic of this run alone. */
  readonly database: string;
  readonly topic: string;
  /** A name of this run's own, for more databases a spec makes (dropped after it, too, when listed in `alsoDrop`). */
  readonly run: string;
}

/**
 * The distributed services of one spec file (the bundles built, a temp folder, an SMTP sink, a
 * database and topic of its own), started before its tests and stopped, dropped and removed after.
 * `seed` writes into the folder before the services start (a history for them to project).
 */
export function useDistributedServices(
  servers: DistributedServers,
  name: string,
  options: { seed?: (root: string) => Promise<void>; alsoDrop?: (run: string) => string[] } = {},
): DistributedRun {
  const run = randomUUID().slice(0, 8);
  const database = `otp_${name.replace(/-/g, '_')}_${run}`;
  const topic = `otp-auth.events.${name}-${run}`;
  let root: string | undefined;
  let smtp: SmtpSink | undefined;
  let services: DistributedRun['services'] | undefined;

  beforeAll(async () => {
    if (!servers.available) return;
    buildBundle();
    root = mkdtempSync(join(tmpdir(), `otp-${name}-`));
    await options.seed?.(root);
    smtp = await startSmtpSink();
    services = await startDistributedServices({
      root,
      kafkaBrokers: servers.kafkaBrokers,
      mongoUrl: servers.mongoUrl,
      database,
      topic,
      smtpUrl: smtp.url,
    });
  }, 60_000);

  afterAll(async () => {
    await services?.stop();
    await smtp?.close();
    if (servers.available) for (const db of [database, ...(options.alsoDrop?.(run) ?? [])]) await dropDatabase(servers.mongoUrl, db);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the distributed services are not started: no ${what}`);
    return value;
  };
  return {
    get root() {
      return started(root, 'folder');
    },
    get smtp() {
      return started(smtp, 'SMTP sink');
    },
    get services() {
      return started(services, 'services');
    },
    database,
    topic,
    run,
  };
}
