/**
 * Throughput against the real servers that scripts/test-servers.sh starts: the
 * relay's events per second into Kafka (kafkajs), and the read-model
 * projection's into FerretDB beside the same projection into SQLite. A
 * benchmark, not a test: it prints and exits 0 whatever the figures are.
 *
 *   scripts/test-servers.sh start && source .test-servers/env
 *   node --import tsx bench/servers.ts [events]      # default 20000
 *
 * `npm run bench` (bench/run.ts) runs it too, with BENCH_SERVER_EVENTS events (5000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventOf } from '@otp/contracts';
import type { DocumentStore } from '@otp/platform/document-store';
import { openMongoDocumentStore } from '@otp/platform/document-store/mongo';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import type { EventStore, EventToAppend } from '@otp/platform/event-store';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createLogger } from '@otp/platform/logging';
import { createKafkaMessageBus } from '@otp/platform/message-bus/kafka';
import { createReadModelProjections } from '../projection-service/src/read-model-projections';
import { createEventRelay } from '../projection-service/src/relay/index';

const logger = createLogger({ level: 'warn' });

const tenants = Array.from({ length: 8 }, (_, i) => `cus_${String(i + 1).padStart(16, '0')}`);

/** OTP requests spread over tenants and hours: what most of a real log is, and what the usage buckets count. */
export function otpRequested(i: number): { streamName: string; event: EventToAppend } {
  const customerId = tenants[i % tenants.length]!;
  const time = new Date(Date.UTC(2025, 2, 1) + i * 7_000).toISOString();
  const data: EventOf<'OtpRequested'>['data'] = {
    challengeId: `chl_${String(i).padStart(16, '0')}`,
    customerId,
    emailKey: `emailkey${i % 500}`,
    email: 'person@example.com',
    codeHash: 'c'.repeat(64),
    codeLength: 6,
    requestedAt: time,
    expiresAt: time,
    maxAttempts: 3,
  };
  return {
    streamName: `otp-${customerId}.emailkey${i % 500}`,
    event: {
      id: randomUUID(),
      type: 'OtpRequested',
      data,
      metadata: {
        schemaVersion: 1,
        occurredAt: time,
        tenantId: customerId,
        actor: 'apiKey:key_000000000001',
        correlationId: 'c',
        causationId: 'c',
        requestId: 'r',
      },
    },
  };
}

async function fill(eventStore: EventStore, total: number): Promise<bigint> {
  let last = 0n;
  for (let i = 0; i < total; i++) {
    const { streamName, event } = otpRequested(i);
    last = (await eventStore.append(streamName, [event], 'any')).position;
    if ((i + 1) % 5_000 === 0) console.log(`  appended ${i + 1}/${total}`);
  }
  return last;
}

async function until(reached: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 600_000;
  while (!reached()) {
    if (Date.now() > deadline) throw new Error(`${what}: not done within 10 minutes`);
    await sleep(20);
  }
}

async function measureProjection(eventStore: EventStore, documents: DocumentStore, last: bigint, total: number): Promise<number> {
  const runner = createReadModelProjections({ eventStore, documents, logger });
  const started = performance.now();
  await runner.start();
  await until(() => {
    const statuses = runner.statuses();
    const failed = statuses.find((status) => status.state === 'failed');
    if (failed) throw failed.error ?? new Error(`projection ${failed.name} failed`);
    return statuses.every((status) => (status.position ?? 0n) >= last);
  }, 'projections');
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  return total / seconds;
}

export interface ServerFigures {
  events: number;
  relayIntoKafka: number;
  projectionIntoMongo: number;
  projectionIntoSqlite: number;
}

/** The figures, or why there are none: the servers are found in the environment, as the tests find them. */
export async function runServersBench(total: number): Promise<ServerFigures | { skipped: string }> {
  const brokers = process.env['KAFKA_BROKERS'];
  const mongoUrl = process.env['MONGODB_URL'];
  if (!brokers || !mongoUrl) return { skipped: 'KAFKA_BROKERS and MONGODB_URL are not set (scripts/test-servers.sh start prints them)' };
  const dir = await mkdtemp(join(tmpdir(), 'otp-bench-servers-'));
  const eventStore = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  const database = `bench_${randomUUID().replaceAll('-', '')}`;
  const mongo = await openMongoDocumentStore({ url: mongoUrl, database });
  const sqlite = openSqliteDocumentStore({ file: join(dir, 'read-models.sqlite') });
  const bus = createKafkaMessageBus({ clientId: 'bench', brokers: brokers.split(','), logger });
  try {
    console.log(`servers: appending ${total} events to a SQLite event store`);
    const last = await fill(eventStore, total);

    const relay = createEventRelay({ eventStore, documents: mongo, bus, logger, topic: `bench-${randomUUID()}`, replicationFactor: 1 });
    const started = performance.now();
    relay.start();
    await until(() => (relay.status().position ?? 0n) >= last, 'relay');
    const relayIntoKafka = total / ((performance.now() - started) / 1000);
    await relay.stop();
    console.log('servers: relay measured; projecting');

    const projectionIntoSqlite = await measureProjection(eventStore, sqlite, last, total);
    const projectionIntoMongo = await measureProjection(eventStore, mongo, last, total);
    return { events: total, relayIntoKafka, projectionIntoMongo, projectionIntoSqlite };
  } finally {
    await bus.close();
    await mongo.close();
    await sqlite.close();
    await eventStore.close();
    const { MongoClient } = await import('mongodb');
    const client = await new MongoClient(mongoUrl).connect();
    await client.db(database).dropDatabase();
    await client.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runServersBench(Number(process.argv[2] ?? 20_000));
  if ('skipped' in figures) {
    console.log(`bench/servers.ts: nothing measured: ${figures.skipped}`);
  } else {
    console.log('\n| measurement | events/s |');
    console.log('| --- | --- |');
    console.log(`| relay into Kafka (kafkajs, batches of 200, checkpoint in FerretDB) | ${Math.round(figures.relayIntoKafka)} |`);
    console.log(`| read-model projection into FerretDB | ${Math.round(figures.projectionIntoMongo)} |`);
    console.log(`| read-model projection into SQLite (baseline) | ${Math.round(figures.projectionIntoSqlite)} |`);
  }
}
