import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { collections } from '@otp/contracts';
import type { Doc, DocumentStore } from '@otp/platform/document-store';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { describe, expect, it, vi } from 'vitest';
import { UnprojectableEventError } from '../projected-event';
import { readModelProjectors } from '../projectors/index';
import { captureLogger } from '../testing/capture-logger';
import { ids, metadata, scenario, secrets } from '../testing/events';
import { useTempFolder } from '../testing/temp-folder';
import { appendAll, dumpReadModels } from '../testing/stores';
import { createProjectionRunner, type ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';

const NAME = 'read-models';
const WAIT_MS = 5_000;

const temp = useTempFolder('otp-projections-');

/** Embedded mode: events and read models in one file, on two connections. */
function openStores(file = temp.path(`${randomUUID()}.sqlite`)) {
  const eventStore = openSqliteEventStore({ file });
  const documents = openSqliteDocumentStore({ file });
  temp.closeAfter(() => eventStore.close(), () => documents.close());
  return { eventStore, documents };
}

function runner(options: Partial<ProjectionRunnerOptions> & Pick<ProjectionRunnerOptions, 'eventStore' | 'documents'>): ProjectionRunner {
  const created = createProjectionRunner({ name: NAME, projectors: readModelProjectors, logger: captureLogger().logger, ...options });
  temp.closeAfter(() => created.stop());
  return created;
}

const checkpointPosition = async (documents: DocumentStore) => (await documents.getCheckpoint(NAME))?.position;


/** The projection of the scenario, computed once per test by a plain run over a store of its own. */
async function reference(): Promise<{ docs: Record<string, Doc[]>; position: bigint }> {
  const { eventStore, documents } = openStores();
  const position = await appendAll(eventStore);
  const projection = runner({ eventStore, documents });
  await projection.start();
  expect(await projection.waitForPosition(position, WAIT_MS)).toBe(true);
  await projection.stop();
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
    const projection = runner({ eventStore, documents });
    await projection.start();

    expect(await projection.waitForPosition(last, WAIT_MS)).toBe(true);
    expect(await documents.getCheckpoint(NAME)).toEqual({ position: last, hash: (await eventStore.readAll()).at(-1)?.metadata.hash });
    expect(projection.status()).toMatchObject({ position: last, eventsProjected: 14, error: undefined });

    expect(await documents.get(collections.customers, ids.tenantA)).toEqual({
      _id: ids.tenantA,
      id: ids.tenantA,
      name: 'Acme',
      email: 'ops@acme.test',
      plan: 'pro',
      status: 'active',
      registeredAt: '2025-03-01T23:00:00.000Z',
      apiKeys: { [ids.keyA]: { id: ids.keyA, prefix: 'otp_a1', scopes: ['otp:write'], status: 'active', issuedAt: '2025-03-01T23:01:00.000Z' } },
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
        usersCreated: 1,
        logins: 1,
      },
      {
        _id: `${ids.tenantA}:hour:2025-03-02T00:00:00.000Z`,
        tenantId: ids.tenantA,
        granularity: 'hour',
        start: '2025-03-02T00:00:00.000Z',
        otpRequested: 1,
        otpVerified: 0,
        otpFailed: 1,
        usersCreated: 0,
        logins: 0,
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
    const projection = runner({ eventStore: deliveringTwice(eventStore), documents, maxBatchEvents: 3 });
    await projection.start();
    expect(await projection.waitForPosition(expected.position, WAIT_MS)).toBe(true);
    expect(await dumpReadModels(documents)).toEqual(expected.docs);
  });

  it('gives the same documents after a rebuild, and the same checkpoint', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    const projection = runner({ eventStore, documents });
    await projection.start();
    await projection.waitForPosition(last, WAIT_MS);

    await projection.rebuild();
    expect(await projection.waitForPosition(last, WAIT_MS)).toBe(true);
    expect(await dumpReadModels(documents)).toEqual(expected.docs);
    expect(await checkpointPosition(documents)).toBe(last);
  });

  it('resumes from the checkpoint after a stop, counting nothing twice', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const events = scenario();
    const firstPart = await appendAll(eventStore, events.slice(0, 6));
    const projection = runner({ eventStore, documents, maxBatchEvents: 4 });
    await projection.start();
    await projection.waitForPosition(firstPart, WAIT_MS);
    await projection.stop();
    expect(await checkpointPosition(documents)).toBe(firstPart);

    const last = await appendAll(eventStore, events.slice(6));
    await projection.start();
    expect(await projection.waitForPosition(last, WAIT_MS)).toBe(true);
    expect(await dumpReadModels(documents)).toEqual(expected.docs);
  });

  it('leaves writes and checkpoint together when a batch fails to commit, then resumes by itself', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    let calls = 0;
    const failingOnce: DocumentStore = Object.create(documents, {
      applyBatch: {
        value: (...args: Parameters<DocumentStore['applyBatch']>) =>
          ++calls === 2 ? Promise.reject(new Error('disk full')) : documents.applyBatch(...args),
      },
    });
    const { logger, lines } = captureLogger();
    const projection = runner({ eventStore, documents: failingOnce, maxBatchEvents: 3, logger, retryDelay: { initialMs: 300, maxMs: 1_000 } });
    await projection.start();
    await expect(projection.waitForPosition(last, WAIT_MS)).rejects.toThrow('disk full');

    const firstBatchEnd = (await eventStore.readAll({ maxCount: 3 })).at(-1)?.position;
    expect(await checkpointPosition(documents)).toBe(firstBatchEnd);
    expect(projection.status()).toMatchObject({ state: 'failed', position: firstBatchEnd });
    expect(() => projection.assertRunning()).toThrow(/disk full/);
    expect(lines().find((line) => line.msg === 'projection failed; resuming from its checkpoint')).toMatchObject({ retryInMs: 300 });

    // No one calls start(): a full disk is not about the log, so the runner tries again.
    await vi.waitFor(() => expect(projection.status().state).toBe('live'), { timeout: 5_000, interval: 20 });
    expect(await projection.waitForPosition(last, WAIT_MS)).toBe(true);
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
    const projection = runner({ eventStore, documents, logger });
    await projection.start();

    const failure = await projection.waitForPosition(last, WAIT_MS).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UnprojectableEventError);
    expect(failure).toMatchObject({ position: bad.position, eventType: 'CustomerRenamed' });
    expect(await checkpointPosition(documents)).toBe(beforeBad);
    expect(await documents.find(collections.audit, {})).toHaveLength(3);
    expect(projection.status().state).toBe('failed');
    expect(lines().find((line) => line.msg === 'projection stopped')).toMatchObject({
      level: 50,
      err: { message: expect.stringContaining(`CustomerRenamed`) as unknown },
    });
    // Restarting without a fix fails again at the same place instead of skipping the event.
    await projection.start();
    await expect(projection.waitForPosition(last, WAIT_MS)).rejects.toThrow(UnprojectableEventError);
    expect(await checkpointPosition(documents)).toBe(beforeBad);
  });

  it('follows live appends and lets a writer wait for its position', async () => {
    const { eventStore, documents } = openStores();
    const projection = runner({ eventStore, documents });
    await projection.start();
    await expect.poll(() => projection.status().state).toBe('live');
    expect(projection.status().lagMs).toBe(0);

    const [registered] = scenario();
    const { position } = await eventStore.append(registered!.streamName, [registered!.event], 'no_stream');
    expect(await projection.waitForPosition(position, WAIT_MS)).toBe(true);
    expect(await documents.get(collections.customers, ids.tenantA)).toMatchObject({ name: 'Acme' });
    expect(await checkpointPosition(documents)).toBe(position);

    expect(await projection.waitForPosition(position + 1n, 50)).toBe(false);
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
    expect(messages.filter((msg) => msg === 'projection catching up').length).toBeGreaterThan(0);
    expect(lines().find((line) => line.msg === 'projection caught up')).toMatchObject({ projection: NAME, events: 14, position: String(last) });
  });

  it('starts over on collections left without a checkpoint', async () => {
    const expected = await reference();
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore);
    // What an interrupted, non-atomic reset can leave behind.
    await documents.applyBatch([{ kind: 'put', collection: collections.usage, doc: { _id: 'stale' } }], { name: 'other', position: 1n, hash: 'other' });
    const projection = runner({ eventStore, documents });
    await projection.start();
    await projection.waitForPosition(last, WAIT_MS);
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
