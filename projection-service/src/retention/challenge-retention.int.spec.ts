import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { binField, collections, durationBin, type UsageChallengeDocument, type VerifyStatsDocument } from '@otp/contracts';
import type { DocumentStore } from '@otp/platform/document-store';
import { openMongoDocumentStore } from '@otp/platform/document-store/mongo';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { describe, expect, it } from 'vitest';
import { usageProjector } from '../projectors/index';
import { createReadModelProjections } from '../read-model-projections';
import { captureLogger } from '../testing/capture-logger';
import { challengeLog, minutesAfter } from '../testing/challenges';
import { ids } from '../testing/events';
import { dumpReadModels } from '../testing/stores';
import { useTempFolder } from '../testing/temp-folder';
import { createChallengeRetention } from './challenge-retention';

const temp = useTempFolder('otp-challenge-retention-');
const T0 = '2026-06-01T10:00:00.000Z';
/** The wall clock of every pass: a day after the log's events, as for a projection far behind. */
const NOW = new Date('2026-06-02T10:00:00.000Z');

const mongoUrl = process.env['MONGODB_URL'];
if (!mongoUrl) console.log('challenge retention over MongoDB skipped: MONGODB_URL is not set (source .test-servers/env)');

/** Both adapters of the read models: SQLite always, the MongoDB-wire server when the run has one. */
const adapters: [string, () => Promise<DocumentStore>][] = [
  ['SQLite', async () => openSqliteDocumentStore({ file: temp.path('read-models.sqlite') })],
  ...(mongoUrl ? [['MongoDB', () => openMongoDatabase(mongoUrl)] as [string, () => Promise<DocumentStore>]] : []),
];

/** A database of the test's own on the shared server, dropped after it. */
async function openMongoDatabase(url: string): Promise<DocumentStore> {
  const database = `challenges_${randomUUID().replaceAll('-', '')}`;
  const documents = await openMongoDocumentStore({ url, database });
  temp.closeAfter(async () => {
    const client = new MongoClient(url);
    try {
      await client.db(database).dropDatabase();
    } finally {
      await client.close();
    }
  });
  return documents;
}

/** The usage projection over a real event store and read-model store, and a retention over them. */
async function projectedChallenges(openDocuments: () => Promise<DocumentStore>, batchSize?: number) {
  const eventStore = openSqliteEventStore({ file: temp.path('events.sqlite') });
  const documents = await openDocuments();
  temp.closeAfter(
    () => eventStore.close(),
    () => documents.close(),
  );
  const projections = createReadModelProjections({ eventStore, documents, logger: captureLogger().logger, projectors: [usageProjector] });
  await projections.start();
  temp.closeAfter(() => projections.stop());
  const { logger, lines } = captureLogger();
  const retention = createChallengeRetention({
    documents,
    eventStore,
    logger,
    marginMinutes: 60,
    now: () => NOW,
    ...(batchSize ? { batchSize } : {}),
  });
  const projected = async (position: Promise<bigint>) =>
    expect(await projections.waitForPosition(usageProjector.name, await position, 5_000)).toBe(true);
  const open = async () =>
    (await documents.find<UsageChallengeDocument>(collections.usageChallenges, { orderBy: [['_id', 'asc']] })).map((c) => c._id);
  const timings = async () =>
    (await documents.find<VerifyStatsDocument>(collections.verifyStats, { orderBy: [['_id', 'asc']] })).map((s) => s.durations);
  const passes = () => lines().filter((line) => line.msg === 'expired challenges pass done');
  return { log: challengeLog(eventStore), documents, retention, projected, open, timings, passes };
}

describe.each(adapters)('challenge retention over %s', (_adapter, openDocuments) => {
  it('deletes the challenges expired more than the margin before the last projected event, and changes no count', async () => {
    const { log, documents, retention, projected, open, passes } = await projectedChallenges(openDocuments, 2);
    await projected(log.requested(ids.challengeA1, T0));
    await projected(log.requested(ids.challengeA2, T0));
    await projected(log.requested(ids.challengeB1, minutesAfter(T0, 10)));
    await projected(log.requested('chl_00000000000000c1', minutesAfter(T0, 100)));
    // The projection's clock: two hours after T0, so codes that expired before 10:00 + 2h - 60 min are dead.
    await projected(log.failed('chl_00000000000000ff', minutesAfter(T0, 120)));
    const before = await dumpReadModels(documents);

    expect(await retention.pruneOnce()).toBe(3);
    expect(await open()).toEqual(['chl_00000000000000c1']);
    // Nothing else moved: every counter and histogram is what it was.
    expect({ ...(await dumpReadModels(documents)), [collections.usageChallenges]: [] }).toEqual({
      ...before,
      [collections.usageChallenges]: [],
    });
    expect(passes()).toEqual([
      expect.objectContaining({ deleted: 3, before: minutesAfter(T0, 60), projectedTo: minutesAfter(T0, 120), level: 30 }),
    ]);
    expect(await retention.pruneOnce()).toBe(0);
  });

  it("goes by the projection's clock: a verification the projection has yet to apply is still timed", async () => {
    const { log, retention, projected, open, timings } = await projectedChallenges(openDocuments);
    await projected(log.requested(ids.challengeA1, T0));
    // A day later by the wall clock, the projection has reached only the request: nothing is dead yet.
    expect(await retention.pruneOnce()).toBe(0);
    // Another instance whose clock runs 40 minutes ahead stamps an event before the verify lands.
    await projected(log.failed('chl_00000000000000ff', minutesAfter(T0, 50)));
    expect(await retention.pruneOnce()).toBe(0);
    expect(await open()).toEqual([ids.challengeA1]);

    await projected(log.verified(ids.challengeA1, minutesAfter(T0, 9)));
    expect(await timings()).toEqual([{ [binField(durationBin(9 * 60_000))]: 1 }]);
    expect(await open()).toEqual([]);
  });

  it('prunes nothing before the usage projection has a checkpoint, and says why', async () => {
    const { retention, passes } = await projectedChallenges(openDocuments);
    expect(await retention.pruneOnce()).toBe(0);
    expect(passes()).toEqual([expect.objectContaining({ deleted: 0, reason: 'the usage projection has projected nothing yet' })]);
  });
});
