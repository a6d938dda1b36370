import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DocumentStore } from '@otp/platform/document-store';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import type { RecordedEvent } from '@otp/platform/event-store';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { InMemoryMessageBus } from '@otp/platform/message-bus/testing';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger';
import { scenario } from '../testing/events';
import { useTempFolder } from '../testing/temp-folder';
import { appendAll } from '../testing/stores';
import { createEventRelay, type EventRelay, type EventRelayOptions } from './event-relay';
import { RELAY_CHECKPOINT, RELAY_TOPIC, RELAY_VERSION, type RelayedEvent } from './relayed-event';

const FAST_RETRY = { initialMs: 10, maxMs: 50 };

const temp = useTempFolder('otp-relay-');

/** Distributed mode keeps events and read models apart; two files stand for the two servers. */
function openStores() {
  const eventStore = openSqliteEventStore({ file: temp.path('events.sqlite') });
  const documents = openSqliteDocumentStore({ file: temp.path('read-models.sqlite') });
  temp.closeAfter(
    () => eventStore.close(),
    () => documents.close(),
  );
  return { eventStore, documents };
}

function relay(options: Partial<EventRelayOptions> & Pick<EventRelayOptions, 'eventStore' | 'documents' | 'bus'>): EventRelay {
  const created = createEventRelay({ logger: captureLogger().logger, retryDelay: FAST_RETRY, ...options });
  temp.closeAfter(() => created.stop());
  return created;
}

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const checkpointAt = (documents: DocumentStore, position: bigint) => async () =>
  (await documents.getCheckpoint(RELAY_CHECKPOINT))?.position === position;

const relayed = (bus: InMemoryMessageBus) => bus.messages(RELAY_TOPIC).map((m) => JSON.parse(String(m.value)) as RelayedEvent);

function expectOnceInOrder(bus: InMemoryMessageBus, stored: RecordedEvent[]): void {
  expect(relayed(bus).map((e) => e.id)).toEqual(stored.map((e) => e.id));
  expect(relayed(bus).map((e) => BigInt(e.position))).toEqual(stored.map((e) => e.position));
}

describe('event relay', () => {
  it('relays every stored event once, in commit order, keyed by tenant, then checkpoints the last', async () => {
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore, scenario());
    const bus = new InMemoryMessageBus();
    relay({ eventStore, documents, bus }).start();

    await until(checkpointAt(documents, last), 'the checkpoint to reach the last event');
    const stored = await eventStore.readAll();
    expectOnceInOrder(bus, stored);
    expect(await documents.getCheckpoint(RELAY_CHECKPOINT)).toEqual({
      position: last,
      hash: stored.at(-1)?.metadata.hash,
      version: RELAY_VERSION,
    });
    const messages = bus.messages(RELAY_TOPIC);
    expect(messages.map((m) => m.key)).toEqual(stored.map((e) => e.metadata['tenantId']));
    expect(relayed(bus)[0]).toMatchObject({ type: stored[0]?.type, streamName: stored[0]?.streamName, revision: 0, data: stored[0]?.data });
    expect(bus.topics.get(RELAY_TOPIC)).toEqual({ partitions: 6, replicationFactor: 3 });
  });

  it('says so when the topic it finds keeps fewer copies than configured, and relays anyway', async () => {
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore, scenario());
    const bus = new InMemoryMessageBus();
    await bus.ensureTopic(RELAY_TOPIC, { partitions: 6, replicationFactor: 1 });
    const { logger, lines } = captureLogger();
    relay({ eventStore, documents, bus, logger, replicationFactor: 3 }).start();

    await until(checkpointAt(documents, last), 'the checkpoint to reach the last event');
    expect(lines().filter((line) => line['level'] === 40)).toEqual([
      expect.objectContaining({ topic: RELAY_TOPIC, replicationFactor: 1, wanted: 3, msg: expect.stringContaining('fewer copies') }),
    ]);
    expect(bus.topics.get(RELAY_TOPIC)).toEqual({ partitions: 6, replicationFactor: 1 });
  });

  it('publishes in bounded batches', async () => {
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore, scenario());
    const bus = new InMemoryMessageBus();
    relay({ eventStore, documents, bus, maxBatchEvents: 4 }).start();

    await until(checkpointAt(documents, last), 'the checkpoint to reach the last event');
    expect(bus.batches.length).toBeGreaterThanOrEqual(Math.ceil(scenario().length / 4));
    for (const batch of bus.batches) expect(batch.messages.length).toBeLessThanOrEqual(4);
    expectOnceInOrder(bus, await eventStore.readAll());
  });

  it('relays events appended while it follows the live end', async () => {
    const { eventStore, documents } = openStores();
    const events = scenario();
    await appendAll(eventStore, events.slice(0, 3));
    const bus = new InMemoryMessageBus();
    const running = relay({ eventStore, documents, bus });
    running.start();
    await until(() => running.status().state === 'live', 'the relay to be live');

    const last = await appendAll(eventStore, events.slice(3));
    await until(checkpointAt(documents, last), 'the live events to be checkpointed');
    expectOnceInOrder(bus, await eventStore.readAll());
    running.assertRunning();
  });

  it('resumes after a restart from its checkpoint, without resending what was acknowledged', async () => {
    const { eventStore, documents } = openStores();
    const events = scenario();
    const first = await appendAll(eventStore, events.slice(0, 6));
    const before = new InMemoryMessageBus();
    const one = relay({ eventStore, documents, bus: before });
    one.start();
    await until(checkpointAt(documents, first), 'the first part to be checkpointed');
    await one.stop();

    const last = await appendAll(eventStore, events.slice(6));
    const after = new InMemoryMessageBus();
    relay({ eventStore, documents, bus: after }).start();
    await until(checkpointAt(documents, last), 'the rest to be checkpointed');

    const stored = await eventStore.readAll();
    expectOnceInOrder(before, stored.slice(0, 6));
    expectOnceInOrder(after, stored.slice(6));
  });

  it('does not advance the checkpoint past a failed publish, reports it, and resends once the broker is back', async () => {
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore, scenario());
    const bus = new InMemoryMessageBus();
    bus.failNext(3);
    const running = relay({ eventStore, documents, bus, retryDelay: { initialMs: 40, maxMs: 40 } });
    running.start();

    await until(() => running.status().lastError !== undefined, 'the failure to be reported');
    expect(() => running.assertRunning()).toThrow(/retrying: broker unavailable/);
    expect(await documents.getCheckpoint(RELAY_CHECKPOINT)).toBeUndefined();

    await until(checkpointAt(documents, last), 'the checkpoint after recovery');
    // The fake records nothing of a refused publish, so each event arrived exactly once here.
    expectOnceInOrder(bus, await eventStore.readAll());
    expect(running.status()).toMatchObject({ lastError: undefined, position: last });
  });

  it('resends a batch whose checkpoint could not be written: at least once, never skipped', async () => {
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore, scenario());
    let refuse = 1;
    const flaky: Pick<DocumentStore, 'getCheckpoint' | 'applyBatch'> = {
      getCheckpoint: (name) => documents.getCheckpoint(name),
      applyBatch: async (ops, checkpoint) => {
        if (refuse-- > 0) throw new Error('document store unavailable');
        return documents.applyBatch(ops, checkpoint);
      },
    };
    const bus = new InMemoryMessageBus();
    relay({ eventStore, documents: flaky, bus, maxBatchEvents: 5 }).start();

    await until(checkpointAt(documents, last), 'the checkpoint after recovery');
    const stored = await eventStore.readAll();
    const ids = relayed(bus).map((e) => e.id);
    expect(ids.slice(0, 5)).toEqual(ids.slice(5, 10));
    expect(ids.slice(5)).toEqual(stored.map((e) => e.id));
  });

  it('stops cleanly while live and publishes nothing after', async () => {
    const { eventStore, documents } = openStores();
    const events = scenario();
    await appendAll(eventStore, events.slice(0, 2));
    const bus = new InMemoryMessageBus();
    const running = relay({ eventStore, documents, bus });
    running.start();
    await until(() => running.status().state === 'live', 'the relay to be live');

    const started = Date.now();
    await running.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(running.status().state).toBe('stopped');
    expect(() => running.assertRunning()).toThrow(/stopped/);

    await appendAll(eventStore, events.slice(2));
    await sleep(50);
    expect(bus.messages(RELAY_TOPIC)).toHaveLength(2);
  });
  it('publishes a replaced log from its first event, saying why, instead of skipping what its old checkpoint passed', async () => {
    const documents = openStores().documents;
    const before = openSqliteEventStore({ file: temp.path('before.sqlite') });
    temp.closeAfter(() => before.close());
    const bus = new InMemoryMessageBus();
    const first = relay({ eventStore: before, documents, bus });
    first.start();
    await until(checkpointAt(documents, await appendAll(before, scenario())), 'the first log to be relayed');
    await first.stop();

    // Another log behind the same checkpoint: the same shape under new ids, so the same positions.
    const replaced = openSqliteEventStore({ file: temp.path('replaced.sqlite') });
    temp.closeAfter(() => replaced.close());
    const retold = scenario().map(({ streamName, event }) => ({ streamName, event: { ...event, id: randomUUID() } }));
    const last = await appendAll(replaced, [
      ...retold,
      ...retold.slice(0, 2).map(({ streamName, event }) => ({ streamName, event: { ...event, id: randomUUID() } })),
    ]);
    const { logger, lines } = captureLogger();
    const published = bus.messages(RELAY_TOPIC).length;
    relay({ eventStore: replaced, documents, bus, logger }).start();

    await until(checkpointAt(documents, last), 'the replaced log to be relayed');
    const stored = await replaced.readAll();
    expect(
      relayed(bus)
        .slice(published)
        .map((e) => e.id),
    ).toEqual(stored.map((e) => e.id));
    expect(lines().filter((line) => line['level'] === 50)).toEqual([
      expect.objectContaining({
        reason: 'another event at the checkpoint position',
        msg: expect.stringContaining('publishing again from the first event'),
      }),
    ]);
  });

  it('resumes a checkpoint written before versions were recorded, as its first version', async () => {
    const { eventStore, documents } = openStores();
    const events = scenario();
    const first = await appendAll(eventStore, events.slice(0, 6));
    const hash = (await eventStore.readAt(first))!.metadata.hash;
    // What an earlier build left: position and hash, no version.
    const raw = new Database(temp.path('read-models.sqlite'));
    raw.prepare(`INSERT INTO "rm__checkpoint" (name, position, hash) VALUES (?, ?, ?)`).run(RELAY_CHECKPOINT, first, hash);
    raw.close();
    const last = await appendAll(eventStore, events.slice(6));
    const bus = new InMemoryMessageBus();
    relay({ eventStore, documents, bus }).start();

    await until(checkpointAt(documents, last), 'the rest to be checkpointed');
    expectOnceInOrder(bus, (await eventStore.readAll()).slice(6));
    expect((await documents.getCheckpoint(RELAY_CHECKPOINT))?.version).toBe(RELAY_VERSION);
  });

  it('publishes again from the first event when its checkpoint was written by another version', async () => {
    const { eventStore, documents } = openStores();
    const last = await appendAll(eventStore, scenario());
    const stored = await eventStore.readAll();
    await documents.applyBatch([], {
      name: RELAY_CHECKPOINT,
      position: last,
      hash: stored.at(-1)!.metadata.hash,
      version: RELAY_VERSION + 1,
    });
    const bus = new InMemoryMessageBus();
    const { logger, lines } = captureLogger();
    relay({ eventStore, documents, bus, logger }).start();

    await until(() => bus.messages(RELAY_TOPIC).length === stored.length, 'the log to be published again');
    await until(
      async () => (await documents.getCheckpoint(RELAY_CHECKPOINT))?.version === RELAY_VERSION,
      'the checkpoint to take this version',
    );
    expectOnceInOrder(bus, stored);
    expect(
      lines().filter((line) => line['msg'] === 'checkpoint was written by another version; publishing again from the first event'),
    ).toEqual([expect.objectContaining({ level: 30, storedVersion: RELAY_VERSION + 1, version: RELAY_VERSION })]);
  });
});
