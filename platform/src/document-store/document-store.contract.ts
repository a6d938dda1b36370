import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FencedOutError } from './lease';
import type { Checkpoint, Condition, Doc, DocumentStore, StoredCheckpoint, WriteOp } from './port';

export interface DocumentStoreFixture {
  /** A store over empty storage of its own. */
  store: DocumentStore;
  /** Stores a checkpoint as versions before the hash did: a position and nothing else. */
  writeCheckpointWithoutHash(name: string, position: bigint): Promise<void>;
  /**
   * Leaves the storage as a process that died while storing this batch would:
   * after none, some or all of the document writes, before the checkpoint's.
   */
  interruptBatch(ops: WriteOp[], checkpoint: Checkpoint, writes: InterruptedWrites): Promise<void>;
  /** Closes the store and removes its storage. */
  dispose(): Promise<void>;
}

export type InterruptedWrites = 'none' | 'some' | 'all';

/**
 * The behaviour every DocumentStore adapter must share, registered as vitest
 * tests. Each test gets fresh storage from `open`.
 */
export function registerDocumentStoreContract(adapter: string, open: () => Promise<DocumentStoreFixture>): void {
  describe(`DocumentStore contract: ${adapter}`, () => {
    let fixture: DocumentStoreFixture;
    let store: DocumentStore;
    let nextPosition = 1n;
    /** A checkpoint whose hash differs for every name and position, as the hashes of a log's events do. */
    const at = (name: string, position: bigint, version = 1): Checkpoint => ({
      name,
      position,
      hash: `${name}-${position}-${'f'.repeat(40)}`,
      version,
    });
    /** What `getCheckpoint` answers once `checkpoint` is stored. */
    const stored = ({ position, hash, version }: Checkpoint): StoredCheckpoint => ({ position, hash, version });
    /** Most tests only care about the writes; each gets a checkpoint one further on. */
    const write = (...ops: WriteOp[]) => store.applyBatch(ops, at('contract', nextPosition++));
    const put = (collection: string, doc: Doc): WriteOp => ({ kind: 'put', collection, doc });

    beforeEach(async () => {
      fixture = await open();
      store = fixture.store;
      nextPosition = 1n;
    });
    afterEach(async () => {
      await fixture.dispose();
    });

    describe('put and get', () => {
      it('returns what was put, and undefined for what was not', async () => {
        const doc = { _id: 'a', name: 'Ada', nested: { list: [1, 'two', null], flag: true }, score: 1.5 };
        await write(put('things', doc));
        expect(await store.get('things', 'a')).toEqual(doc);
        expect(await store.get('things', 'missing')).toBeUndefined();
        expect(await store.get('neverWritten', 'a')).toBeUndefined();
      });

      it('replaces the whole document on a second put', async () => {
        await write(put('things', { _id: 'a', old: 1, kept: 'no' }));
        await write(put('things', { _id: 'a', new: 2 }));
        expect(await store.get('things', 'a')).toEqual({ _id: 'a', new: 2 });
      });

      it('stores values that look like SQL or operators as plain data', async () => {
        const doc = { _id: "x'); DROP TABLE things; --", text: "' OR 1=1 --", dollar: '$set' };
        await write(put('things', doc));
        expect(await store.get('things', doc._id)).toEqual(doc);
        expect(await store.find('things', { where: { text: "' OR 1=1 --" } })).toEqual([doc]);
      });
    });

    describe('update', () => {
      it('on insert applies $setOnInsert, $set and $inc, creating dotted paths', async () => {
        await write({
          kind: 'update',
          collection: 'counters',
          id: 'c1',
          upsert: true,
          update: {
            $setOnInsert: { tenant: 't1', 'totals.b': 0 },
            $set: { 'meta.label': 'first', 'meta.tags': ['x'] },
            $inc: { 'totals.a': 2, hits: 1 },
          },
        });
        expect(await store.get('counters', 'c1')).toEqual({
          _id: 'c1',
          tenant: 't1',
          totals: { a: 2, b: 0 },
          meta: { label: 'first', tags: ['x'] },
          hits: 1,
        });
      });

      it('on an existing document ignores $setOnInsert, increments and keeps sibling fields', async () => {
        await write(put('counters', { _id: 'c1', tenant: 't1', totals: { a: 1, b: 5 }, meta: { label: 'old', keep: true } }));
        await write({
          kind: 'update',
          collection: 'counters',
          id: 'c1',
          upsert: true,
          update: { $setOnInsert: { tenant: 'other' }, $set: { 'meta.label': 'new' }, $inc: { 'totals.a': 3, 'totals.c': -1 } },
        });
        expect(await store.get('counters', 'c1')).toEqual({
          _id: 'c1',
          tenant: 't1',
          totals: { a: 4, b: 5, c: -1 },
          meta: { label: 'new', keep: true },
        });
      });

      it('without upsert leaves a missing document missing', async () => {
        await write({ kind: 'update', collection: 'counters', id: 'nope', upsert: false, update: { $set: { a: 1 }, $inc: { n: 1 } } });
        expect(await store.get('counters', 'nope')).toBeUndefined();
        expect(await store.find('counters', {})).toEqual([]);
      });

      it('without upsert updates an existing document', async () => {
        await write(put('counters', { _id: 'c1', n: 1 }));
        await write({ kind: 'update', collection: 'counters', id: 'c1', upsert: false, update: { $inc: { n: 1 } } });
        expect(await store.get('counters', 'c1')).toEqual({ _id: 'c1', n: 2 });
      });

      it('applies the ops of one batch in order', async () => {
        await write(
          put('things', { _id: 'a', n: 1 }),
          { kind: 'update', collection: 'things', id: 'a', upsert: false, update: { $inc: { n: 10 } } },
          put('other', { _id: 'b' }),
          { kind: 'update', collection: 'things', id: 'a', upsert: false, update: { $set: { done: true } } },
          { kind: 'delete', collection: 'other', id: 'b' },
        );
        expect(await store.get('things', 'a')).toEqual({ _id: 'a', n: 11, done: true });
        expect(await store.get('other', 'b')).toBeUndefined();
      });

      it('rejects updates that would change _id or that overlap', async () => {
        const bad = [{ $set: { _id: 'b' } }, { $set: { a: 1 }, $inc: { a: 1 } }, { $set: { a: { b: 1 } }, $setOnInsert: { 'a.b': 2 } }, {}];
        for (const update of bad) {
          await expect(write({ kind: 'update', collection: 'things', id: 'a', upsert: true, update })).rejects.toThrow();
        }
        expect(await store.get('things', 'a')).toBeUndefined();
      });
    });

    describe('given', () => {
      /** Counts `user` once per bucket: a marker put and an increment, only when the marker is missing. */
      const countOnce = (user: string): WriteOp => ({
        kind: 'given',
        collection: 'markers',
        id: `b1:${user}`,
        then: (marker) =>
          marker
            ? []
            : [
                put('markers', { _id: `b1:${user}` }),
                { kind: 'update', collection: 'buckets', id: 'b1', upsert: true, update: { $inc: { unique: 1 } } },
              ],
      });

      it('answers writes from the document as stored, and as earlier ops of the same batch left it', async () => {
        await write(countOnce('ada'));
        await write(countOnce('ada'), countOnce('eve'), countOnce('eve'), countOnce('bob'));
        expect(await store.get('buckets', 'b1')).toEqual({ _id: 'b1', unique: 3 });
        expect((await store.find('markers', { orderBy: [['_id', 'asc']] })).map((doc) => doc._id)).toEqual(['b1:ada', 'b1:bob', 'b1:eve']);
      });

      it('passes undefined for a document deleted earlier in the batch, and nothing is written when it answers no op', async () => {
        const seen: unknown[] = [];
        const look: WriteOp = { kind: 'given', collection: 'things', id: 'a', then: (doc) => (seen.push(doc), []) };
        await write(put('things', { _id: 'a', n: 1 }));
        await write(look, { kind: 'delete', collection: 'things', id: 'a' }, look);
        expect(seen).toEqual([{ _id: 'a', n: 1 }, undefined]);
        expect(await store.find('things', {})).toEqual([]);
      });

      it('writes nothing of the batch when an op it answers is malformed', async () => {
        const bad: WriteOp = { kind: 'given', collection: 'things', id: 'a', then: () => [put('Bad-Name', { _id: 'x' })] };
        await expect(write(put('things', { _id: 'b' }), bad)).rejects.toThrow();
        expect(await store.get('things', 'b')).toBeUndefined();
      });
    });

    describe('delete', () => {
      it('removes the document, and is a no-op when it is missing', async () => {
        await write(put('things', { _id: 'a' }), put('things', { _id: 'b' }));
        await write({ kind: 'delete', collection: 'things', id: 'a' }, { kind: 'delete', collection: 'things', id: 'zzz' });
        expect(await store.get('things', 'a')).toBeUndefined();
        expect(await store.get('things', 'b')).toEqual({ _id: 'b' });
      });
    });

    describe('deleteMany', () => {
      it('deletes the documents named, counts those that were there, and leaves the rest and the checkpoint', async () => {
        await write(put('things', { _id: 'a', n: 1 }), put('things', { _id: 'b', n: 2 }), put('things', { _id: 'c', n: 3 }));
        const before = await store.getCheckpoint('contract');
        expect(await store.deleteMany('things', ['a', 'c', 'missing'])).toBe(2);
        expect(await store.find('things', { orderBy: [['_id', 'asc']] })).toEqual([{ _id: 'b', n: 2 }]);
        expect(await store.deleteMany('things', [])).toBe(0);
        expect(await store.deleteMany('neverWritten', ['a'])).toBe(0);
        expect(await store.getCheckpoint('contract')).toEqual(before);
      });

      it('refuses more than 1,000 ids, an empty id and a bad collection name', async () => {
        await expect(
          store.deleteMany(
            'things',
            Array.from({ length: 1_001 }, (_, i) => `id${i}`),
          ),
        ).rejects.toThrow(/at most/);
        await expect(store.deleteMany('things', [''])).rejects.toThrow(/non-empty/);
        await expect(store.deleteMany('things; DROP TABLE x', ['a'])).rejects.toThrow(/collection/);
      });
    });

    describe('find', () => {
      const rows: Doc[] = [
        { _id: 'r1', tenant: 't1', kind: 'hour', start: '2025-01-01T00:00:00.000Z', n: 5, ok: true, meta: { region: 'eu' } },
        { _id: 'r2', tenant: 't1', kind: 'hour', start: '2025-01-01T01:00:00.000Z', n: 1, ok: false, meta: { region: 'us' } },
        { _id: 'r3', tenant: 't1', kind: 'day', start: '2025-01-01T00:00:00.000Z', n: 6, ok: true, meta: { region: 'eu' } },
        { _id: 'r4', tenant: 't2', kind: 'hour', start: '2025-01-01T00:00:00.000Z', n: 5, ok: true, meta: { region: 'eu' } },
        { _id: 'r5', tenant: 't1', kind: 'hour', start: '2025-01-01T02:00:00.000Z', n: 9, ok: true, gone: null },
        { _id: 'r6', tenant: 't1', kind: 'hour', start: 7, n: '5', ok: 1 },
      ];
      const ids = (docs: Doc[]) => docs.map((doc) => doc._id);

      beforeEach(async () => {
        await store.ensureIndex('rows', ['tenant', 'kind', 'start']);
        await write(...rows.map((row) => put('rows', row)));
      });

      it('matches on equality of strings, numbers, booleans and dotted paths, by type', async () => {
        expect(ids(await store.find('rows', { where: { tenant: 't1', kind: 'hour' } }))).toEqual(['r1', 'r2', 'r5', 'r6']);
        expect(ids(await store.find('rows', { where: { n: 5 } }))).toEqual(['r1', 'r4']);
        expect(ids(await store.find('rows', { where: { n: '5' } }))).toEqual(['r6']);
        expect(ids(await store.find('rows', { where: { ok: false } }))).toEqual(['r2']);
        expect(ids(await store.find('rows', { where: { ok: true, tenant: 't1' } }))).toEqual(['r1', 'r3', 'r5']);
        expect(ids(await store.find('rows', { where: { 'meta.region': 'eu' } }))).toEqual(['r1', 'r3', 'r4']);
        expect(ids(await store.find('rows', { where: { _id: 'r2' } }))).toEqual(['r2']);
      });

      it('matches null on null and on missing fields', async () => {
        expect(ids(await store.find('rows', { where: { gone: null } }))).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
        expect(ids(await store.find('rows', { where: { 'meta.region': null } }))).toEqual(['r5', 'r6']);
      });

      it('matches ranges only against values of the same type', async () => {
        const hourly = await store.find('rows', {
          where: { tenant: 't1', kind: 'hour', start: { $gte: '2025-01-01T01:00:00.000Z', $lt: '2025-01-01T03:00:00.000Z' } },
        });
        expect(ids(hourly)).toEqual(['r2', 'r5']);
        expect(ids(await store.find('rows', { where: { n: { $gt: 5 } } }))).toEqual(['r3', 'r5']);
        expect(ids(await store.find('rows', { where: { n: { $gte: 1, $lte: 5 } } }))).toEqual(['r1', 'r2', 'r4']);
        expect(ids(await store.find('rows', { where: { start: { $gt: 0 } } }))).toEqual(['r6']);
        expect(ids(await store.find('rows', { where: { _id: { $gt: 'r4' } } }))).toEqual(['r5', 'r6']);
      });

      it('orders by several fields, breaking ties by id, and limits', async () => {
        const byN = await store.find('rows', { where: { tenant: 't1', kind: 'hour' }, orderBy: [['n', 'desc']] });
        // Mongo orders numbers before strings; SQLite does too.
        expect(ids(byN)).toEqual(['r6', 'r5', 'r1', 'r2']);
        const byStart = await store.find('rows', {
          where: { kind: 'hour', n: { $gte: 0 } },
          orderBy: [
            ['start', 'asc'],
            ['tenant', 'desc'],
          ],
          limit: 3,
        });
        expect(ids(byStart)).toEqual(['r4', 'r1', 'r2']);
        expect(ids(await store.find('rows', { where: { n: 5 }, orderBy: [['tenant', 'asc']] }))).toEqual(['r1', 'r4']);
        expect(ids(await store.find('rows', { orderBy: [['_id', 'desc']], limit: 2 }))).toEqual(['r6', 'r5']);
        expect(await store.find('rows', { limit: 0 })).toEqual([]);
      });

      it('walks an index that ends in _id both ways, with an equality, two bounds on one field and the _id sort last', async () => {
        const entries = [
          { _id: 'e3', tenant: 't1', at: '2025-01-01T00:00:01.000Z', seq: 3 },
          { _id: 'e1', tenant: 't1', at: '2025-01-01T00:00:00.000Z', seq: 1 },
          { _id: 'e2', tenant: 't1', at: '2025-01-01T00:00:01.000Z', seq: 2 },
          { _id: 'e4', tenant: 't1', at: '2025-01-01T00:00:02.000Z', seq: 4 },
          { _id: 'x1', tenant: 't2', at: '2025-01-01T00:00:01.000Z', seq: 1 },
        ];
        await store.ensureIndex('trail', ['tenant', 'at', 'seq', '_id']);
        await write(...entries.map((entry) => put('trail', entry)));
        const keys = (dir: 'asc' | 'desc'): [string, 'asc' | 'desc'][] => [
          ['at', dir],
          ['seq', dir],
          ['_id', dir],
        ];
        expect(ids(await store.find('trail', { where: { tenant: 't1' }, orderBy: keys('asc') }))).toEqual(['e1', 'e2', 'e3', 'e4']);
        expect(ids(await store.find('trail', { where: { tenant: 't1' }, orderBy: keys('desc'), limit: 3 }))).toEqual(['e4', 'e3', 'e2']);
        const sameInstant = { tenant: 't1', at: '2025-01-01T00:00:01.000Z' };
        const rest = (dir: 'asc' | 'desc', seq: Condition) =>
          store.find('trail', {
            where: { ...sameInstant, seq },
            orderBy: [
              ['seq', dir],
              ['_id', dir],
            ],
          });
        expect(ids(await rest('asc', { $gt: 2 }))).toEqual(['e3']);
        expect(ids(await rest('desc', { $lt: 3 }))).toEqual(['e2']);
        const after = { $gt: '2025-01-01T00:00:00.000Z', $gte: '2025-01-01T00:00:01.000Z', $lt: '2025-01-01T00:00:02.000Z' };
        expect(ids(await store.find('trail', { where: { tenant: 't1', at: after }, orderBy: keys('desc') }))).toEqual(['e3', 'e2']);
      });

      it('returns nothing for a collection never written', async () => {
        expect(await store.find('neverWritten', { where: { a: 1 }, orderBy: [['a', 'asc']] })).toEqual([]);
      });

      it('refuses names that are not plain identifiers and unknown operators', async () => {
        await expect(store.find('rows; DROP TABLE rows', {})).rejects.toThrow(/collection/);
        await expect(store.find('rows', { where: { "a') OR 1=1 --": 1 } })).rejects.toThrow(/field/);
        await expect(store.find('rows', { orderBy: [['$where', 'asc']] })).rejects.toThrow(/field/);
        await expect(store.find('rows', { where: { n: { $ne: 1 } as never } })).rejects.toThrow(/operator/);
        await expect(store.find('rows', { where: { n: { $gt: 1, $lt: 'x' } } })).rejects.toThrow();
        await expect(store.ensureIndex('rows', ['ok"; --'])).rejects.toThrow(/field/);
        expect(await store.find('rows', {})).toHaveLength(rows.length);
      });

      it('declares indexes idempotently', async () => {
        await store.ensureIndex('rows', ['tenant', 'kind', 'start']);
        await store.ensureIndex('rows', ['meta.region']);
        expect(ids(await store.find('rows', { where: { 'meta.region': 'us' } }))).toEqual(['r2']);
      });
    });

    describe('applyBatch', () => {
      it('writes nothing and keeps the checkpoint when an op fails while applying', async () => {
        await store.applyBatch([put('things', { _id: 'a', label: 'text', n: 1 })], at('p', 10n));
        const failing: WriteOp[] = [
          { kind: 'update', collection: 'things', id: 'a', upsert: false, update: { $inc: { n: 1 } } },
          put('things', { _id: 'b' }),
          put('others', { _id: 'c' }),
          // $inc on a string fails only once the document is read, after the ops before it ran.
          { kind: 'update', collection: 'things', id: 'a', upsert: false, update: { $inc: { label: 1 } } },
        ];
        await expect(store.applyBatch(failing, at('p', 20n))).rejects.toThrow();
        expect(await store.get('things', 'a')).toEqual({ _id: 'a', label: 'text', n: 1 });
        expect(await store.get('things', 'b')).toBeUndefined();
        expect(await store.get('others', 'c')).toBeUndefined();
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 10n)));
      });

      it('writes nothing when an op is malformed', async () => {
        const malformed = [put('things', { _id: 'a' }), put('bad name', { _id: 'b' })];
        await expect(store.applyBatch(malformed, at('p', 1n))).rejects.toThrow(/collection/);
        expect(await store.get('things', 'a')).toBeUndefined();
        expect(await store.getCheckpoint('p')).toBeUndefined();
      });

      it('stores the checkpoint with the writes, also for an empty batch', async () => {
        expect(await store.getCheckpoint('p')).toBeUndefined();
        await store.applyBatch([put('things', { _id: 'a' })], at('p', 3n));
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 3n)));
        await store.applyBatch([], at('p', 2n ** 60n + 1n));
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 2n ** 60n + 1n)));
        await store.applyBatch([], at('q', 0n));
        expect(await store.getCheckpoint('q')).toEqual(stored(at('q', 0n)));
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 2n ** 60n + 1n)));
      });

      it("stores the hash of the checkpoint's event, replaced by the next batch's", async () => {
        const sha256Hex = 'c0ffee'.repeat(10) + '0123';
        await store.applyBatch([], { name: 'p', position: 5n, hash: sha256Hex, version: 1 });
        expect(await store.getCheckpoint('p')).toEqual({ position: 5n, hash: sha256Hex, version: 1 });
        // The same position with another hash: what a restored log would hand a projection.
        await store.applyBatch([], { name: 'p', position: 5n, hash: 'other', version: 1 });
        expect(await store.getCheckpoint('p')).toEqual({ position: 5n, hash: 'other', version: 1 });
      });

      it('stores the version beside the position, per checkpoint, replaced by the next batch', async () => {
        await store.applyBatch([], at('p', 5n, 3));
        await store.applyBatch([], at('q', 5n, 1));
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 5n, 3)));
        expect(await store.getCheckpoint('q')).toEqual(stored(at('q', 5n, 1)));
        await store.applyBatch([], at('p', 6n, 4));
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 6n, 4)));
      });

      it('reads a checkpoint stored before hashes and versions were, and adds both with the next batch', async () => {
        await fixture.writeCheckpointWithoutHash('p', 42n);
        const loaded = await store.getCheckpoint('p');
        expect(loaded).toEqual({ position: 42n });
        expect(loaded?.hash).toBeUndefined();
        expect(loaded?.version).toBeUndefined();
        await store.applyBatch([], at('p', 43n));
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 43n)));
      });

      it('refuses a checkpoint without a usable hash and keeps the one stored', async () => {
        await store.applyBatch([], at('p', 1n));
        for (const hash of ['', 'x'.repeat(129), undefined, 42]) {
          await expect(
            store.applyBatch([put('things', { _id: 'a' })], { name: 'p', position: 2n, hash, version: 1 } as unknown as Checkpoint),
          ).rejects.toThrow(/hash/);
        }
        expect(await store.get('things', 'a')).toBeUndefined();
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 1n)));
      });

      it('refuses a checkpoint without a positive integer version and keeps the one stored', async () => {
        await store.applyBatch([], at('p', 1n));
        for (const version of [0, -1, 1.5, 2 ** 31, undefined, '2']) {
          await expect(
            store.applyBatch([put('things', { _id: 'a' })], { ...at('p', 2n), version } as unknown as Checkpoint),
          ).rejects.toThrow(/version/);
        }
        expect(await store.get('things', 'a')).toBeUndefined();
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 1n)));
      });
    });

    describe('a crash between the writes and the checkpoint', () => {
      // Each event counts a hit on one shared counter and on its tenant's, and leaves a document of its own;
      // the fourth deletes the first's. Counters are what a replay must not count twice.
      const eventOps = (position: bigint): WriteOp[] => [
        {
          kind: 'update',
          collection: 'counters',
          id: 'all',
          upsert: true,
          update: { $inc: { hits: 1 }, $set: { last: Number(position) } },
        },
        { kind: 'update', collection: 'counters', id: `t${position % 2n}`, upsert: true, update: { $inc: { hits: 1 } } },
        put('events', { _id: `e${position}`, position: Number(position) }),
        ...(position === 4n ? [{ kind: 'delete', collection: 'events', id: 'e1' } as const] : []),
        // Tenants seen, each counted once however often it comes back: a replay must not count it again either.
        {
          kind: 'given',
          collection: 'seen',
          id: `t${position % 2n}`,
          then: (seen) =>
            seen
              ? []
              : [
                  put('seen', { _id: `t${position % 2n}` }),
                  { kind: 'update', collection: 'counters', id: 'all', upsert: true, update: { $inc: { tenants: 1 } } },
                ],
        },
      ];
      const eventsFrom = (first: bigint, last: bigint) => {
        const ops: WriteOp[] = [];
        for (let position = first; position <= last; position++) ops.push(...eventOps(position));
        return ops;
      };
      const expected = {
        counters: [
          { _id: 'all', hits: 6, last: 6, tenants: 2 },
          { _id: 't0', hits: 3 },
          { _id: 't1', hits: 3 },
        ],
        events: [2, 3, 4, 5, 6].map((position) => ({ _id: `e${position}`, position })),
      };

      for (const writes of ['none', 'some', 'all'] as const) {
        it(`replays from the checkpoint after ${writes} of the writes to the same documents and counters`, async () => {
          await store.applyBatch(eventsFrom(1n, 2n), at('p', 2n));
          await fixture.interruptBatch(eventsFrom(3n, 4n), at('p', 4n), writes);

          // The restarted runner goes on from what the store reports, in a batch of another size.
          const resumeAfter = (await store.getCheckpoint('p'))?.position ?? 0n;
          expect([2n, 4n]).toContain(resumeAfter);
          await store.applyBatch(eventsFrom(resumeAfter + 1n, 6n), at('p', 6n));

          expect(await store.find('counters', { orderBy: [['_id', 'asc']] })).toEqual(expected.counters);
          expect(await store.find('events', { orderBy: [['_id', 'asc']] })).toEqual(expected.events);
          expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 6n)));
        });
      }
    });

    describe('reset', () => {
      it('drops the named collections and checkpoint and leaves the rest', async () => {
        await store.ensureIndex('things', ['n']);
        await store.applyBatch([put('things', { _id: 'a', n: 1 }), put('others', { _id: 'b' })], at('p', 7n));
        await store.applyBatch([put('kept', { _id: 'k' })], at('q', 8n));

        await store.reset(['things', 'others', 'neverWritten'], 'p');

        expect(await store.get('things', 'a')).toBeUndefined();
        expect(await store.find('others', {})).toEqual([]);
        expect(await store.getCheckpoint('p')).toBeUndefined();
        expect(await store.get('kept', 'k')).toEqual({ _id: 'k' });
        expect(await store.getCheckpoint('q')).toEqual(stored(at('q', 8n)));

        // Nothing of the old checkpoint survives: position and hash both come from the new batch.
        await store.applyBatch([put('things', { _id: 'a', n: 2 })], at('p', 1n));
        expect(await store.find('things', { where: { n: 2 } })).toEqual([{ _id: 'a', n: 2 }]);
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 1n)));
      });
    });

    describe('replaceCollections', () => {
      it('puts collections built beside the live ones in their place, with their checkpoint, and leaves the rest', async () => {
        await store.ensureIndex('things', ['n']);
        await store.ensureIndex('things_rebuild', ['n']);
        await store.applyBatch([put('things', { _id: 'old', n: 1 }), put('gone', { _id: 'g' })], at('p', 7n));
        await store.applyBatch([put('kept', { _id: 'k' })], at('q', 8n));
        await store.applyBatch([put('things_rebuild', { _id: 'new', n: 2 })], at('p_rebuild', 9n, 2));

        await store.replaceCollections(
          [
            { from: 'things_rebuild', to: 'things' },
            { from: 'gone_rebuild', to: 'gone' },
          ],
          { from: 'p_rebuild', to: 'p' },
        );

        expect(await store.find('things', {})).toEqual([{ _id: 'new', n: 2 }]);
        expect(await store.find('things', { where: { n: 2 } })).toEqual([{ _id: 'new', n: 2 }]);
        expect(await store.find('things_rebuild', {})).toEqual([]);
        // The rebuild wrote nothing to it: the live collection is replaced by nothing.
        expect(await store.find('gone', {})).toEqual([]);
        // The rebuilt checkpoint as it was (its hash is of the event at its position, whatever its name).
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p_rebuild', 9n, 2)));
        expect(await store.getCheckpoint('p_rebuild')).toBeUndefined();
        expect(await store.get('kept', 'k')).toEqual({ _id: 'k' });
        expect(await store.getCheckpoint('q')).toEqual(stored(at('q', 8n)));

        // The replaced collection goes on taking batches under its live checkpoint.
        await store.applyBatch([put('things', { _id: 'next', n: 3 })], at('p', 10n, 2));
        expect(await store.find('things', { orderBy: [['n', 'asc']] })).toEqual([
          { _id: 'new', n: 2 },
          { _id: 'next', n: 3 },
        ]);
      });

      it('refuses without the checkpoint the collections were built to, and changes nothing', async () => {
        await store.applyBatch([put('things', { _id: 'old' })], at('p', 7n));
        await expect(store.replaceCollections([{ from: 'things_rebuild', to: 'things' }], { from: 'p_rebuild', to: 'p' })).rejects.toThrow(
          /no checkpoint p_rebuild/,
        );
        expect(await store.find('things', {})).toEqual([{ _id: 'old' }]);
        expect(await store.getCheckpoint('p')).toEqual(stored(at('p', 7n)));
      });
    });

    describe('lease', () => {
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

      it('is held by one owner at a time, renewed with the same token', async () => {
        expect(await store.acquireLease('projections', 'a', 5_000)).toBe(1);
        expect(await store.acquireLease('projections', 'b', 5_000)).toBeUndefined();
        expect(await store.acquireLease('projections', 'a', 5_000)).toBe(1);
        expect(await store.acquireLease('other', 'b', 5_000)).toBe(1);
      });

      it('goes, with a larger token, to another owner once it expires or is released', async () => {
        expect(await store.acquireLease('projections', 'a', 30)).toBe(1);
        await sleep(60);
        expect(await store.acquireLease('projections', 'b', 5_000)).toBe(2);
        // The former holder does not get it back by renewing: it is someone else's now.
        expect(await store.acquireLease('projections', 'a', 5_000)).toBeUndefined();
        await store.releaseLease('projections', 'a');
        expect(await store.acquireLease('projections', 'a', 5_000)).toBeUndefined();
        await store.releaseLease('projections', 'b');
        expect(await store.acquireLease('projections', 'a', 5_000)).toBe(3);
      });

      it('refuses a batch fenced below the raised fence, leaving documents and checkpoint as they were', async () => {
        await store.applyBatch([put('things', { _id: 'x', by: 1 })], { ...at('fenced', 1n), fence: 1 });
        await store.raiseFence('fenced', 2);
        await expect(store.applyBatch([put('things', { _id: 'x', by: 'late' })], { ...at('fenced', 2n), fence: 1 })).rejects.toThrow(
          FencedOutError,
        );
        await expect(store.applyBatch([], { ...at('fenced', 2n), fence: 1 })).rejects.toThrow(FencedOutError);
        expect(await store.get('things', 'x')).toEqual({ _id: 'x', by: 1 });
        expect(await store.getCheckpoint('fenced')).toEqual(stored(at('fenced', 1n)));
        await store.applyBatch([put('things', { _id: 'x', by: 2 })], { ...at('fenced', 2n), fence: 2 });
        expect(await store.get('things', 'x')).toEqual({ _id: 'x', by: 2 });
      });

      it('never lowers a fence, and lets a checkpoint with no fence yet be raised before its first batch', async () => {
        await store.raiseFence('fresh', 3);
        expect(await store.getCheckpoint('fresh')).toBeUndefined();
        await store.raiseFence('fresh', 2);
        await expect(store.applyBatch([], { ...at('fresh', 1n), fence: 2 })).rejects.toThrow(FencedOutError);
        await store.applyBatch([], { ...at('fresh', 1n), fence: 3 });
        expect(await store.getCheckpoint('fresh')).toEqual(stored(at('fresh', 1n)));
      });
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
