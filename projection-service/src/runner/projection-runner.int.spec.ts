import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { collections } from '@otp/contracts';
import type { Doc, DocumentStore } from '@otp/platform/document-store';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { describe, expect, it, vi } from 'vitest';
import { UnprojectableEventError } from '../projected-event';
import { auditProjector, customersProjector, readModelProjectors, usageProjector } from '../projectors/index';
import { createReadModelProjections, type ReadModelProjections } from '../read-model-projections';
import { captureLogger } from '../testing/capture-logger';
import { ids, metadata, scenario, secrets } from '../testing/events';
import { useTempFolder } from '../testing/temp-folder';
import { appendAll, dumpReadModels } from '../testing/stores';
import { createProjectionRunner, type ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';

const NAMES = readModelProjectors.map((projector) => projector.name);
const versionOf = (name: string) => readModelProjectors.find((projector) => projector.name === name)!.version;
const WAIT_MS = 5_000;

const temp = useTempFolder('otp-projections-');

/** Embedded mode: events and read models in one file, on two connections. */
function openStores(file = temp.path(`${randomUUID()}.sqlite`)) {
  const eventStore = openSqliteEventStore({ file });
  const documents = openSqliteDocumentStore({ file });
  temp.closeAfter(
    () => eventStore.close(),
    () => documents.close(),
  );
  return { eventStore, documents };
}

/** One projection on its own. */
function runner(options: Partial<ProjectionRunnerOptions> & Pick<ProjectionRunnerOptions, 'eventStore' | 'documents'>): ProjectionRunner {
  const created = createProjectionRunner({ projector: usageProjector, logger: captureLogger().logger, ...options });
  temp.closeAfter(() => created.stop());
  return created;
}

type GroupOptions = Partial<Parameters<typeof createReadModelProjections>[0]> &
  Pick<Parameters<typeof createReadModelProjections>[0], 'eventStore' | 'documents'>;

/** The read models' projections, each with its own checkpoint, as the services run them. */
function projections(options: GroupOptions): ReadModelProjections {
  const created = createReadModelProjections({ logger: captureLogger().logger, ...options });
  temp.closeAfter(() => created.stop());
  return created;
}

/** True once every projection of the group has committed `position`. */
async function allReached(group: ReadModelProjections, position: bigint, timeoutMs = WAIT_MS): Promise<boolean> {
  const reached = await Promise.all([...group.runners.keys()].map((name) => group.waitForPosition(name, position, timeoutMs)));
  return reached.every(Boolean);
}

const checkpointPosition = async (documents: DocumentStore, name: string) => (await documents.getCheckpoint(name))?.position;
const checkpointPositions = async (documents: DocumentStore) => Promise.all(NAMES.map((name) => checkpointPosition(documents, name)));
const statusOf = (group: ReadModelProjections, name: string) => group.statuses().find((status) => status.name === name);

/** The projection of the scenario, computed once per test by a plain run over a store of its own. */
async function reference(): Promise<{ docs: Record<string, Doc[]>; position: bigint }> {
  const { eventStore, documents } = openStores();
  const position = await appendAll(eventStore);
  const group = projections({ eventStore, documents });
  await group.start();
  expect(await allReached(group, position)).toBe(true);
  await group.stop();
  return { docs: await dumpReadModels(documents), position };
}

/** An event store that delivers every event twice and always from the start, as an at-least-once feed may. */
function deliveringTwice(eventStore: EventStore): Pick<EventStore, 'subscribeToAll' | 'readAt'> {
  return {
    readAt: (position) => eventStore.readAt(position),
    async *subscribeToAll(options = {}) {
      for await (const event of eventStore.subscribeToAll({ signal: options.signal })) {
        yield event;
        yield { ...event };
      }
    },
  };
}

describe('projection runner over the SQLite stores', () => {
  it('projects the log into the read models and commits the checkpoint with them', async () => {
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    const group = projections({ eventStore, documents });
    await group.start();

    expect(await allReached(group, last)).toBe(true);
    for (const name of NAMES) {
      expect(await documents.getCheckpoint(name)).toEqual({
        position: last,
        hash: (await eventStore.readAll()).at(-1)?.metadata.hash,
        version: versionOf(name),
      });
      expect(statusOf(group, name)).toMatchObject({ position: last, eventsProjected: 14, error: undefined });
    }

    expect(await documents.get(collections.customers, ids.tenantA)).toEqual({
      _id: ids.tenantA,
      id: ids.tenantA,
      name: 'Acme',
      email: 'ops@acme.test',
      plan: 'pro',
      status: 'active',
      registeredAt: '2025-03-01T23:00:00.000Z',
      apiKeys: {
        [ids.keyA]: {
          id: ids.keyA,
          prefix: 'otp_a1',
          scopes: ['otp:write'],
          status: 'active',
          issuedAt: '2025-03-01T23:01:00.000Z',
          kind: 'secret',
        },
      },
    });

    const usage = await documents.find(collections.usage, {
      where: { tenantId: ids.tenantA, granularity: 'hour' },
      orderBy: [['start', 'asc']],
    });
    expect(usage).toEqual([
      {
        _id: `${ids.tenantA}:hour:2025-03-01T23:00:00.000Z`,
        tenantId: ids.tenantA,
        granularity: 'hour',
        start: '2025-03-01T23:00:00.000Z',
        otpRequested: 1,
        otpVerified: 1,
        otpFailed: 1,
        otpLocked: 0,
        emailsSent: 0,
        emailsFailed: 0,
        usersCreated: 1,
        logins: 1,
        rateLimited: 0,
        quotaExceeded: 0,
        uniqueUsers: 1,
      },
      {
        _id: `${ids.tenantA}:hour:2025-03-02T00:00:00.000Z`,
        tenantId: ids.tenantA,
        granularity: 'hour',
        start: '2025-03-02T00:00:00.000Z',
        otpRequested: 1,
        otpVerified: 0,
        otpFailed: 1,
        otpLocked: 1,
        emailsSent: 0,
        emailsFailed: 0,
        usersCreated: 0,
        logins: 0,
        rateLimited: 0,
        quotaExceeded: 0,
        uniqueUsers: 0,
      },
    ]);
    const days = await documents.find(collections.usage, { where: { granularity: 'day' }, orderBy: [['_id', 'asc']] });
    expect(days.map((d) => [d.tenantId, d.start, d.otpRequested])).toEqual([
      [ids.tenantA, '2025-03-01T00:00:00.000Z', 1],
      [ids.tenantA, '2025-03-02T00:00:00.000Z', 1],
      [ids.tenantB, '2025-03-01T00:00:00.000Z', 1],
    ]);

    const audit = await documents.find(collections.audit, { where: { tenantId: ids.tenantA }, orderBy: [['position', 'asc']] });
    expect(audit).toHaveLength(11);
    expect(audit.filter((entry) => entry.outcome === 'failure').map((entry) => entry.type)).toEqual([
      'OtpVerificationFailed',
      'OtpVerificationFailed',
      'OtpChallengeLocked',
    ]);
    const stored = await eventStore.readAll();
    expect(audit.map((entry) => entry.hash)).toEqual(stored.filter((e) => e.metadata.tenantId === ids.tenantA).map((e) => e.metadata.hash));

    const everything = JSON.stringify(await dumpReadModels(documents));
    for (const secret of Object.values(secrets)) expect(everything).not.toContain(secret);
  });

  it('gives the same documents when every event is delivered twice, across batch boundaries', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    await appendAll(eventStore);
    const group = projections({ eventStore: deliveringTwice(eventStore), documents, maxBatchEvents: 3 });
    await group.start();
    expect(await allReached(group, expected.position)).toBe(true);
    expect(await dumpReadModels(documents)).toEqual(expected.docs);
  });

  it('gives the same documents after a rebuild of one projection, and the same checkpoint', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    const group = projections({ eventStore, documents });
    await group.start();
    await allReached(group, last);

    const usage = group.runners.get(usageProjector.name)!;
    await usage.rebuild();
    expect(await usage.waitForPosition(last, WAIT_MS)).toBe(true);
    expect(usage.status().eventsProjected).toBe(14);
    expect(await dumpReadModels(documents)).toEqual(expected.docs);
    expect(await checkpointPositions(documents)).toEqual([last, last, last]);
  });

  it('resumes from the checkpoint after a stop, counting nothing twice', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const events = scenario();
    const firstPart = await appendAll(eventStore, events.slice(0, 6));
    const group = projections({ eventStore, documents, maxBatchEvents: 4 });
    await group.start();
    await allReached(group, firstPart);
    await group.stop();
    expect(await checkpointPositions(documents)).toEqual([firstPart, firstPart, firstPart]);

    const last = await appendAll(eventStore, events.slice(6));
    await group.start();
    expect(await allReached(group, last)).toBe(true);
    expect(await dumpReadModels(documents)).toEqual(expected.docs);
  });

  it('leaves writes and checkpoint together when a batch fails to commit, then resumes by itself', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    let usageCalls = 0;
    // The usage projection's second commit fails; the other projections commit as usual.
    const failingOnce: DocumentStore = Object.create(documents, {
      applyBatch: {
        value: (...args: Parameters<DocumentStore['applyBatch']>) =>
          args[1].name === usageProjector.name && ++usageCalls === 2
            ? Promise.reject(new Error('disk full'))
            : documents.applyBatch(...args),
      },
    });
    const { logger, lines } = captureLogger();
    const group = projections({
      eventStore,
      documents: failingOnce,
      maxBatchEvents: 3,
      logger,
      retryDelay: { initialMs: 300, maxMs: 1_000 },
    });
    await group.start();
    await expect(group.waitForPosition(usageProjector.name, last, WAIT_MS)).rejects.toThrow('disk full');

    const firstBatchEnd = (await eventStore.readAll({ maxCount: 3 })).at(-1)?.position;
    expect(await checkpointPosition(documents, usageProjector.name)).toBe(firstBatchEnd);
    expect(statusOf(group, usageProjector.name)).toMatchObject({ state: 'failed', position: firstBatchEnd });
    expect(() => group.assertRunning()).toThrow(/projection usage failed: disk full/);
    expect(lines().find((line) => line.msg === 'projection failed; resuming from its checkpoint')).toMatchObject({
      projection: 'usage',
      retryInMs: 300,
    });
    // The others went on meanwhile.
    expect(await group.waitForPosition(auditProjector.name, last, WAIT_MS)).toBe(true);

    // No one calls start(): a full disk is not about the log, so the runner tries again.
    await vi.waitFor(() => expect(statusOf(group, usageProjector.name)?.state).toBe('live'), { timeout: 5_000, interval: 20 });
    expect(await allReached(group, last)).toBe(true);
    expect(await dumpReadModels(documents)).toEqual(expected.docs);
  });

  it('resumes when the event store subscription ends (a failover), doubling the wait while it keeps failing', async () => {
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    let subscriptions = 0;
    // The first three subscriptions end at once, as a connection lost mid-way would.
    const flaky: Pick<EventStore, 'subscribeToAll' | 'readAt'> = {
      readAt: (position) => eventStore.readAt(position),
      subscribeToAll: (options) => (++subscriptions <= 3 ? (async function* () {})() : eventStore.subscribeToAll(options)),
    };
    const { logger, lines } = captureLogger();
    const projection = runner({ eventStore: flaky, documents, logger, retryDelay: { initialMs: 10, maxMs: 1_000 } });
    await projection.start();
    expect(await vi.waitFor(() => projection.waitForPosition(last, WAIT_MS), { timeout: 5_000, interval: 20 })).toBe(true);
    const retries = lines().filter((line) => line.msg === 'projection failed; resuming from its checkpoint');
    expect(retries.map((line) => line.retryInMs)).toEqual([10, 20, 40]);
    expect(retries[0]).toMatchObject({ err: { message: 'the event store subscription ended' } });
  });

  it('stops on an event it cannot project, after committing the ones before it', async () => {
    const { eventStore, documents } = openStores();
    const beforeBad = await appendAll(eventStore, scenario().slice(0, 3));
    const bad = await eventStore.append(
      `customer-${ids.tenantA}`,
      [{ id: randomUUID(), type: 'CustomerRenamed', data: { name: 'x' }, metadata: metadata() }],
      'any',
    );
    const last = await appendAll(eventStore, scenario().slice(3, 5));
    const { logger, lines } = captureLogger();
    const group = projections({ eventStore, documents, logger });
    await group.start();

    for (const name of NAMES) {
      const failure = await group.waitForPosition(name, last, WAIT_MS).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(UnprojectableEventError);
      expect(failure).toMatchObject({ position: bad.position, eventType: 'CustomerRenamed' });
      expect(statusOf(group, name)?.state).toBe('failed');
    }
    expect(await checkpointPositions(documents)).toEqual([beforeBad, beforeBad, beforeBad]);
    expect(await documents.find(collections.audit, {})).toHaveLength(3);
    const stopped = lines().filter((line) => line.msg === 'projection stopped');
    expect(stopped.map((line) => line.projection).sort()).toEqual([...NAMES].sort());
    expect(stopped[0]).toMatchObject({ level: 50, err: { message: expect.stringContaining(`CustomerRenamed`) as unknown } });
    // Restarting without a fix fails again at the same place instead of skipping the event.
    await group.start();
    await expect(group.waitForPosition(auditProjector.name, last, WAIT_MS)).rejects.toThrow(UnprojectableEventError);
    expect(await checkpointPositions(documents)).toEqual([beforeBad, beforeBad, beforeBad]);
  });

  it('follows live appends and lets a writer wait for its position', async () => {
    const { eventStore, documents } = openStores();
    const group = projections({ eventStore, documents });
    await group.start();
    await expect.poll(() => group.statuses().map((status) => status.state)).toEqual(['live', 'live', 'live']);
    expect(group.statuses().map((status) => status.lagMs)).toEqual([0, 0, 0]);

    const [registered] = scenario();
    const { position } = await eventStore.append(registered!.streamName, [registered!.event], 'no_stream');
    expect(await group.waitForPosition(customersProjector.name, position, WAIT_MS)).toBe(true);
    expect(await documents.get(collections.customers, ids.tenantA)).toMatchObject({ name: 'Acme' });
    expect(await checkpointPosition(documents, customersProjector.name)).toBe(position);

    expect(await group.waitForPosition(customersProjector.name, position + 1n, 50)).toBe(false);
  });

  it('logs progress while catching up and once when caught up', async () => {
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    const { logger, lines } = captureLogger();
    let clock = 0;
    const projection = runner({ eventStore, documents, logger, maxBatchEvents: 2, progressIntervalMs: 1, now: () => (clock += 10) });
    await projection.start();
    await projection.waitForPosition(last, WAIT_MS);
    await expect.poll(() => projection.status().state).toBe('live');
    await sleep(10);

    const messages = lines().map((line) => line.msg);
    expect(messages[0]).toBe('projection starting');
    expect(lines()[0]).toMatchObject({ projection: 'usage', from: 'the first event', reason: 'no checkpoint' });
    expect(messages.filter((msg) => msg === 'projection catching up').length).toBeGreaterThan(0);
    expect(lines().find((line) => line.msg === 'projection caught up')).toMatchObject({
      projection: 'usage',
      events: 14,
      position: String(last),
    });
  });

  it('starts over on collections left without a checkpoint', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    // What an interrupted, non-atomic reset can leave behind.
    await documents.applyBatch([{ kind: 'put', collection: collections.usage, doc: { _id: 'stale' } }], {
      name: 'other',
      position: 1n,
      hash: 'other',
      version: 1,
    });
    const group = projections({ eventStore, documents });
    await group.start();
    await allReached(group, last);
    expect(await dumpReadModels(documents)).toEqual(expected.docs);
  });
});

describe('each projection owns its checkpoint and version', () => {
  /** A document the projection's own rebuild would drop: proof that it was not rebuilt. */
  const sentinel = (collection: string): Doc => ({ _id: `sentinel-${collection}` });

  async function markUntouched(documents: DocumentStore, eventStore: EventStore, names: string[]): Promise<void> {
    const last = (await eventStore.readAll()).at(-1)!;
    for (const projector of readModelProjectors.filter((each) => names.includes(each.name))) {
      const [collection] = projector.collections;
      await documents.applyBatch([{ kind: 'put', collection: collection!, doc: sentinel(collection!) }], {
        name: projector.name,
        position: last.position,
        hash: last.metadata.hash,
        version: projector.version,
      });
    }
  }

  it('projects a projection added to a store that already holds events from the first event, while the others keep their checkpoints', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    const before = projections({ eventStore, documents, projectors: [customersProjector, usageProjector] });
    await before.start();
    expect(await allReached(before, last)).toBe(true);
    await before.stop();
    expect(await checkpointPosition(documents, auditProjector.name)).toBeUndefined();
    await markUntouched(documents, eventStore, [customersProjector.name, usageProjector.name]);

    const { logger, lines } = captureLogger();
    const after = projections({ eventStore, documents, logger });
    await after.start();
    expect(await allReached(after, last)).toBe(true);

    expect(after.statuses().map((status) => [status.name, status.eventsProjected])).toEqual([
      ['customers', 0],
      ['usage', 0],
      ['audit', 14],
    ]);
    const starting = lines().filter((line) => line.msg === 'projection starting');
    expect(starting.map((line) => [line.projection, line.from, line.reason])).toEqual(
      expect.arrayContaining([
        ['customers', String(last), undefined],
        ['usage', String(last), undefined],
        ['audit', 'the first event', 'no checkpoint'],
      ]),
    );
    const docs = await dumpReadModels(documents);
    expect(docs.audit).toEqual(expected.docs.audit);
    expect(docs.customers).toContainEqual(sentinel('customers'));
    expect(docs.usage).toContainEqual(sentinel('usage'));
  });

  it('rebuilds only the projection whose version changed, saying so once', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    const before = projections({ eventStore, documents });
    await before.start();
    expect(await allReached(before, last)).toBe(true);
    await before.stop();
    await markUntouched(documents, eventStore, NAMES);

    const { logger, lines } = captureLogger();
    const usageV2 = { ...usageProjector, version: usageProjector.version + 1 };
    const after = projections({ eventStore, documents, logger, projectors: [customersProjector, usageV2, auditProjector] });
    await after.start();
    expect(await allReached(after, last)).toBe(true);

    expect(after.statuses().map((status) => [status.name, status.eventsProjected])).toEqual([
      ['customers', 0],
      ['usage', 14],
      ['audit', 0],
    ]);
    expect(lines().filter((line) => String(line.msg).startsWith('checkpoint was written by another version'))).toEqual([
      expect.objectContaining({
        level: 30,
        projection: 'usage',
        storedVersion: usageProjector.version,
        version: usageV2.version,
        position: String(last),
      }),
    ]);
    expect(await documents.getCheckpoint('usage')).toMatchObject({ position: last, version: usageV2.version });
    expect(await documents.getCheckpoint('audit')).toMatchObject({ position: last, version: auditProjector.version });
    const docs = await dumpReadModels(documents);
    // Usage rebuilt from the events alone (its sentinel gone); the others untouched.
    expect(docs.usage).toEqual(expected.docs.usage);
    expect(docs.customers).toContainEqual(sentinel('customers'));
    expect(docs.audit).toContainEqual(sentinel('audit'));
  });

  it('rebuilds each projection once from the first event over read models kept under the one checkpoint of earlier versions', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    const before = projections({ eventStore, documents });
    await before.start();
    expect(await allReached(before, last)).toBe(true);
    await before.stop();
    // What an earlier build left: the same documents under one checkpoint for all of them.
    const lastEvent = (await eventStore.readAll()).at(-1)!;
    for (const name of NAMES) await documents.reset([], name);
    await documents.applyBatch([], { name: 'read-models', position: last, hash: lastEvent.metadata.hash, version: 1 });

    const { logger, lines } = captureLogger();
    const after = projections({ eventStore, documents, logger });
    await after.start();
    expect(await allReached(after, last)).toBe(true);

    expect(after.statuses().map((status) => status.eventsProjected)).toEqual([14, 14, 14]);
    expect(
      lines()
        .filter((line) => line.msg === 'projection starting')
        .map((line) => line.reason),
    ).toEqual(['no checkpoint', 'no checkpoint', 'no checkpoint']);
    // Cleared before replaying: nothing counted twice.
    expect(await dumpReadModels(documents)).toEqual(expected.docs);
  });
});

// Keeps the fixtures honest: the scenario must be events the contracts accept.
it('scenario events are valid recorded events', async () => {
  const { eventStore } = openStores();
  await appendAll(eventStore);
  const stored: RecordedEvent[] = await eventStore.readAll();
  expect(stored).toHaveLength(14);
});
