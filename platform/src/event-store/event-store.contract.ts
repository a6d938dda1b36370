import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GENESIS_HASH, chainHash } from '@otp/contracts';
import { DuplicateEventIdError, WrongExpectedRevisionError, type EventStore, type EventToAppend, type RecordedEvent } from './port';

/** What a spec file hands the contract for each test. */
export interface StoreUnderTest {
  store: EventStore;
  /** Closes the current store and opens a new one on the same data; only for adapters with local files. */
  reopen?: () => Promise<EventStore>;
  /** Removes what the factory created (temp dirs), after the store is closed. */
  dispose?: () => Promise<void>;
}

export interface ContractCapabilities {
  /**
   * Event ids are unique across the whole store (an index), so an id reused in another stream,
   * or at another place in the same stream under a correct expected revision, is refused.
   * Without it, ids are only compared with the stream's own events when a repeat is suspected.
   */
  globalEventIdIndex: boolean;
  /** The data is a local file that `StoreUnderTest.reopen` can open again. */
  reopenable: boolean;
}

/**
 * The behaviour every EventStore adapter must show. Tests share one store instance per test
 * but never assume the store is empty: stream names carry a per-test prefix, and global-log
 * checks start after a marker event appended by the test itself.
 */
export function eventStoreContract(name: string, factory: () => Promise<StoreUnderTest>, capabilities: ContractCapabilities): void {
  describe(`EventStore contract: ${name}`, () => {
    let sut: StoreUnderTest;
    let store: EventStore;
    let prefix: string;
    const stream = (suffix: string): string => `contract-${prefix}${suffix}`;

    beforeEach(async () => {
      sut = await factory();
      store = sut.store;
      prefix = randomUUID().slice(0, 8);
    });

    afterEach(async () => {
      await store.close();
      await sut.dispose?.();
    });

    /** Position of a fresh event: everything the test appends afterwards is strictly after it. */
    async function marker(): Promise<bigint> {
      return (await store.append(stream('marker'), [event('Marker')], 'any')).position;
    }

    async function ownEventsAfter(after: bigint): Promise<RecordedEvent[]> {
      const all = await store.readAll({ after });
      return all.filter((e) => e.streamName.startsWith(`contract-${prefix}`) && !e.streamName.endsWith('marker'));
    }

    describe('append and read', () => {
      it('reads back what was appended, with revisions, positions and a hash', async () => {
        const s = stream('customer');
        const events = [
          event('CustomerCreated', { name: 'Acme', tags: ['a', 'b'], nested: { n: 1, ok: true, none: null } }),
          event('CustomerRenamed', { name: 'Acme 2' }),
        ];
        const result = await store.append(s, events, 'no_stream');

        const stored = await store.readStream(s);
        expect(stored).toHaveLength(2);
        expect(stored.map(({ id, type, streamName, revision, data }) => ({ id, type, streamName, revision, data }))).toEqual(
          events.map((e, i) => ({ id: e.id, type: e.type, streamName: s, revision: BigInt(i), data: e.data })),
        );
        stored.forEach((e, i) => {
          expect(e.metadata).toEqual({ ...events[i]!.metadata, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
          expect(typeof e.position).toBe('bigint');
        });
        expect(stored[1]!.position).toBeGreaterThan(stored[0]!.position);
        expect(result).toEqual({ nextExpectedRevision: 1n, position: stored[1]!.position });
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.readStream(stream('nothing-here'))).toEqual([]);
        expect(await store.readStream(stream('nothing-here'), { after: 3n })).toEqual([]);
      });

      it('reads only the events after a revision when asked', async () => {
        const s = stream('after');
        await store.append(s, [event('A'), event('B'), event('C')], 'no_stream');
        expect((await store.readStream(s, { after: 0n })).map((e) => [e.type, e.revision])).toEqual([
          ['B', 1n],
          ['C', 2n],
        ]);
        expect(await store.readStream(s, { after: 2n })).toEqual([]);
        expect(await store.readStream(s, { after: 7n })).toEqual([]);
      });

      it('refuses an empty append', async () => {
        await expect(store.append(stream('empty'), [], 'any')).rejects.toThrow(RangeError);
      });

      it('answers ping', async () => {
        await expect(store.ping()).resolves.toBeUndefined();
      });
    });

    describe('expected revision', () => {
      it('no_stream: succeeds on a new stream, fails on an existing one', async () => {
        const s = stream('ns');
        await expect(store.append(s, [event('A')], 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0n });
        await expectWrongRevision(store.append(s, [event('B')], 'no_stream'), { expected: 'no_stream', actual: 0n });
        expect(await store.readStream(s)).toHaveLength(1);
      });

      it('any: succeeds whether or not the stream exists', async () => {
        const s = stream('any');
        await expect(store.append(s, [event('A')], 'any')).resolves.toMatchObject({ nextExpectedRevision: 0n });
        await expect(store.append(s, [event('B'), event('C')], 'any')).resolves.toMatchObject({ nextExpectedRevision: 2n });
      });

      it('stream_exists: fails on a new stream, succeeds on an existing one', async () => {
        const s = stream('exists');
        await expectWrongRevision(store.append(s, [event('A')], 'stream_exists'), { expected: 'stream_exists', actual: 'no_stream' });
        expect(await store.readStream(s)).toEqual([]);
        await store.append(s, [event('A')], 'no_stream');
        await expect(store.append(s, [event('B')], 'stream_exists')).resolves.toMatchObject({ nextExpectedRevision: 1n });
      });

      it('exact revision: succeeds when it is the last revision, fails when stale, ahead or on a missing stream', async () => {
        const s = stream('exact');
        await expectWrongRevision(store.append(s, [event('A')], 0n), { expected: 0n, actual: 'no_stream' });
        await store.append(s, [event('A'), event('B')], 'no_stream');
        await expect(store.append(s, [event('C')], 1n)).resolves.toMatchObject({ nextExpectedRevision: 2n });
        await expectWrongRevision(store.append(s, [event('D')], 1n), { expected: 1n, actual: 2n });
        await expectWrongRevision(store.append(s, [event('D')], 5n), { expected: 5n, actual: 2n });
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });
    });

    describe('event ids', () => {
      it('treats a repeated append of the same ids as a no-op returning the original result', async () => {
        const s = stream('idem');
        const events = [event('A'), event('B')];
        const first = await store.append(s, events, 'no_stream');
        await store.append(s, [event('C')], 1n);

        await expect(store.append(s, events, 'no_stream')).resolves.toEqual(first);
        await expect(store.append(s, events, 'any')).resolves.toEqual(first);
        await expect(store.append(s, events, 'stream_exists')).resolves.toEqual(first);
        await expect(store.append(s, events, 7n)).resolves.toEqual(first);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      it('refuses stored ids appended in another arrangement', async () => {
        const s = stream('dup');
        const [a, b] = [event('A'), event('B')];
        await store.append(s, [a, b], 'no_stream');

        await expectDuplicate(store.append(s, [b, event('C')], 'any'), b.id);
        await expectDuplicate(store.append(s, [b, a], 'any'), b.id);
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B']);
      });

      capabilityIt(
        capabilities.globalEventIdIndex,
        'no global event-id index',
        'refuses a stored id under a correct exact revision',
        async () => {
          const s = stream('dup-exact');
          const a = event('A');
          await store.append(s, [a, event('B')], 'no_stream');
          await expectDuplicate(store.append(s, [event('C'), a], 1n), a.id);
          expect(await store.readStream(s)).toHaveLength(2);
        },
      );

      it('refuses an id repeated inside one append', async () => {
        const a = event('A');
        await expectDuplicate(store.append(stream('twice'), [a, a], 'no_stream'), a.id);
      });

      capabilityIt(
        capabilities.globalEventIdIndex,
        'no global event-id index',
        'refuses an id already stored in another stream',
        async () => {
          const a = event('A');
          await store.append(stream('one'), [a], 'no_stream');
          await expectDuplicate(store.append(stream('two'), [a], 'no_stream'), a.id);
          expect(await store.readStream(stream('two'))).toEqual([]);
        },
      );
    });

    describe('global log', () => {
      it('reads all streams in commit order, after a position, a page at a time', async () => {
        const start = await marker();
        await store.append(stream('x'), [event('X1'), event('X2')], 'no_stream');
        await store.append(stream('y'), [event('Y1')], 'no_stream');
        await store.append(stream('x'), [event('X3')], 1n);
        await store.append(stream('z'), [event('Z1'), event('Z2')], 'no_stream');

        const all = await ownEventsAfter(start);
        expect(all.map((e) => e.type)).toEqual(['X1', 'X2', 'Y1', 'X3', 'Z1', 'Z2']);
        for (let i = 1; i < all.length; i++) expect(all[i]!.position).toBeGreaterThan(all[i - 1]!.position);

        const afterY1 = await store.readAll({ after: all[2]!.position });
        expect(afterY1.map((e) => e.type)).toEqual(['X3', 'Z1', 'Z2']);

        const paged: RecordedEvent[] = [];
        let after = start;
        for (;;) {
          const page = await store.readAll({ after, maxCount: 2 });
          expect(page.length).toBeLessThanOrEqual(2);
          paged.push(...page);
          if (page.length < 2) break;
          after = page[page.length - 1]!.position;
        }
        expect(paged).toEqual(all);
      });
    });

    describe('one tenant', () => {
      it("reads only the tenant's events, numbered 1.. in commit order, a page at a time from a sequence or a cursor", async () => {
        const ours = `cus_${prefix}a`;
        const theirs = `cus_${prefix}b`;
        const of = (tenantId: string, type: string) => event(type, {}, { tenantId });
        await store.append(stream('a1'), [of(ours, 'A1'), of(ours, 'A2')], 'no_stream');
        await store.append(stream('b1'), [of(theirs, 'B1')], 'no_stream');
        await store.append(stream('none'), [event('N1')], 'no_stream');
        await store.append(stream('a2'), [of(ours, 'A3')], 'no_stream');
        await store.append(stream('a1'), [of(ours, 'A4')], 1n);

        const all = await store.readTenant(ours);
        expect(all.map((e) => [e.sequence, e.type])).toEqual([
          [1, 'A1'],
          [2, 'A2'],
          [3, 'A3'],
          [4, 'A4'],
        ]);
        expect((await store.readTenant(theirs)).map((e) => [e.sequence, e.type])).toEqual([[1, 'B1']]);
        expect((await store.readTenant(ours, { after: { sequence: 2 } })).map((e) => e.type)).toEqual(['A3', 'A4']);
        const firstPage = await store.readTenant(ours, { maxCount: 2 });
        const last = firstPage[1]!;
        const next = await store.readTenant(ours, { after: { sequence: last.sequence, position: last.position }, maxCount: 2 });
        expect([...firstPage, ...next]).toEqual(all);
        expect(await store.readTenant(ours, { after: { sequence: 4 } })).toEqual([]);
      });
    });

    describe('event at a position', () => {
      it('reads the event stored at exactly a position, and nothing where none is', async () => {
        const start = await marker();
        await store.append(stream('x'), [event('X1'), event('X2')], 'no_stream');
        await store.append(stream('y'), [event('Y1')], 'no_stream');

        const own = await ownEventsAfter(start);
        expect(own).toHaveLength(3);
        for (const stored of own) expect(await store.readAt(stored.position)).toEqual(stored);
        // Before the first event and far past the last: no event, rather than the nearest one.
        expect(await store.readAt(0n)).toBeUndefined();
        expect(await store.readAt(2n ** 62n)).toBeUndefined();
      });
    });

    describe('hash chain', () => {
      it('stores hash = chainHash(previous hash of the stream, event) across appends', async () => {
        const s = stream('chain');
        const t = stream('other');
        await store.append(s, [event('A'), event('B', {}, { hash: 'caller-supplied, must be replaced' })], 'no_stream');
        await store.append(t, [event('T')], 'no_stream');
        await store.append(s, [event('C', { at: new Date(0) as unknown as string })], 'stream_exists');

        for (const name of [s, t]) {
          let prev = GENESIS_HASH;
          for (const e of await store.readStream(name)) {
            const expected = chainHash(prev, {
              streamName: e.streamName,
              revision: e.revision,
              id: e.id,
              type: e.type,
              data: e.data,
              metadata: e.metadata,
            });
            expect(e.metadata.hash).toBe(expected);
            prev = e.metadata.hash;
          }
        }
      });
    });

    describe('subscription', () => {
      it('catches up, then delivers live events, and ends when the signal aborts', async () => {
        const start = await marker();
        const catchUp = [event('C1'), event('C2')];
        await store.append(stream('sub'), catchUp, 'no_stream');

        const abort = new AbortController();
        const seen: string[] = [];
        const caughtUp = deferred();
        const gotLive = deferred();
        const loop = (async () => {
          for await (const e of store.subscribeToAll({ after: start, signal: abort.signal })) {
            if (!e.streamName.startsWith(`contract-${prefix}`)) continue;
            seen.push(e.id);
            if (seen.length === 2) caughtUp.resolve();
            if (seen.length === 3) gotLive.resolve();
          }
        })();

        await within(caughtUp.promise, 5000, 'catch-up');
        const live = event('L1');
        await store.append(stream('sub-live'), [live], 'no_stream');
        await within(gotLive.promise, 5000, 'live event');
        abort.abort();
        await within(loop, 5000, 'loop end after abort');
        expect(seen).toEqual([...catchUp.map((e) => e.id), live.id]);
      });

      it('starts strictly after `after` and ends at once when already aborted', async () => {
        const start = await marker();
        const [a, b] = [event('A'), event('B')];
        const { position } = await store.append(stream('after'), [a], 'no_stream');
        await store.append(stream('after'), [b], 0n);

        const abort = new AbortController();
        const seen: string[] = [];
        const gotB = deferred();
        const loop = (async () => {
          for await (const e of store.subscribeToAll({ after: position, signal: abort.signal })) {
            seen.push(e.id);
            if (e.id === b.id) gotB.resolve();
          }
        })();
        await within(gotB.promise, 5000, 'event after `after`');
        abort.abort();
        await within(loop, 5000, 'loop end');
        expect(seen[0]).toBe(b.id);

        const aborted = new AbortController();
        aborted.abort();
        const none: RecordedEvent[] = [];
        await within(
          (async () => {
            for await (const e of store.subscribeToAll({ after: start, signal: aborted.signal })) none.push(e);
          })(),
          5000,
          'pre-aborted subscription',
        );
        expect(none).toEqual([]);
      });
    });

    describe('concurrent appends', () => {
      it('50 appends in flight to different streams all succeed at distinct positions', async () => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.append(stream(`many-${i}`), [event('M', { i })], 'no_stream')),
        );
        expect(new Set(results.map((r) => r.position)).size).toBe(50);
        results.forEach((r) => expect(r.nextExpectedRevision).toBe(0n));
        const stored = await Promise.all(results.map((_, i) => store.readStream(stream(`many-${i}`))));
        stored.forEach((events, i) => {
          expect(events).toHaveLength(1);
          expect(events[0]!.data).toEqual({ i });
          expect(events[0]!.position).toBe(results[i]!.position);
        });
      });

      it('appends to one stream with the same expected revision: exactly one wins', async () => {
        const s = stream('race');
        await store.append(s, [event('Start')], 'no_stream');
        const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => store.append(s, [event('Race')], 0n)));

        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(9);
        for (const o of lost) {
          expect(o.reason).toBeInstanceOf(WrongExpectedRevisionError);
          expect(o.reason).toMatchObject({ streamName: s, expected: 0n, actual: 1n });
        }
        expect(await store.readStream(s)).toHaveLength(2);
      });
    });

    describe('durability', () => {
      capabilityIt(
        capabilities.reopenable,
        'the data lives in a server, not a local file to reopen',
        'keeps everything across a reopen, and continues the streams',
        async () => {
          if (!sut.reopen) throw new Error('a reopenable adapter must give StoreUnderTest.reopen');
          const start = await marker();
          const s = stream('durable');
          await store.append(s, [event('A'), event('B')], 'no_stream');
          await store.append(stream('durable-2'), [event('C')], 'no_stream');
          const before = await ownEventsAfter(start);

          store = await sut.reopen();
          expect(await ownEventsAfter(start)).toEqual(before);
          await expectWrongRevision(store.append(s, [event('X')], 0n), { expected: 0n, actual: 1n });
          await store.append(s, [event('D')], 1n);
          const chain = await store.readStream(s);
          const d = chain[2]!;
          expect(d.metadata.hash).toBe(
            chainHash(chain[1]!.metadata.hash, { streamName: s, revision: 2n, id: d.id, type: d.type, data: d.data, metadata: d.metadata }),
          );
        },
      );
    });
  });
}

/** Registers `fn`, or says in one printed line why this adapter does not run it. */
function capabilityIt(enabled: boolean, reasonWhenDisabled: string, title: string, fn: () => Promise<void>): void {
  if (enabled) {
    it(title, fn);
    return;
  }
  console.log(`event-store contract: "${title}" not run: ${reasonWhenDisabled}`);
  it.skip(title, fn);
}

let counter = 0;
export function event(type: string, data: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): EventToAppend {
  const id = randomUUID();
  counter += 1;
  return {
    id,
    type,
    data,
    metadata: {
      eventId: id,
      type,
      schemaVersion: 1,
      occurredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, counter % 60)).toISOString(),
      tenantId: 'tenant-1',
      actor: 'system',
      correlationId: 'corr-1',
      causationId: null,
      requestId: 'req-1',
      ...metadata,
    },
  };
}

async function expectWrongRevision(
  promise: Promise<unknown>,
  fields: { expected: WrongExpectedRevisionError['expected']; actual: WrongExpectedRevisionError['actual'] },
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect(error).toMatchObject(fields);
}

async function expectDuplicate(promise: Promise<unknown>, eventId: string): Promise<void> {
  const outcome = await promise.then(
    () => 'stored' as const,
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(DuplicateEventIdError);
  expect(outcome).toMatchObject({ eventId });
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
