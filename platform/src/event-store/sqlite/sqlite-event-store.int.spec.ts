import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GENESIS_HASH, chainHash } from '@otp/contracts';
import { event, eventStoreContract } from '../event-store.contract';
import { WrongExpectedRevisionError, type EventStore } from '../port';
import { SELECT_HEAD } from './batch-writer';
import { openSqliteEventStore } from './index';
import { applyPragmas } from './schema';

for (const writer of ['inline', 'thread'] as const) {
  eventStoreContract(
    `sqlite, ${writer} writer`,
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'otp-es-'));
      const file = join(dir, 'events.db');
      let current: EventStore = openSqliteEventStore({ file, writer });
      return {
        store: current,
        reopen: async () => {
          await current.close();
          current = openSqliteEventStore({ file, writer });
          return current;
        },
        dispose: () => rm(dir, { recursive: true, force: true }),
      };
    },
    { globalEventIdIndex: true, reopenable: true },
  );
}

describe('sqlite event store: group commit and files', () => {
  let dir: string;
  let file: string;
  const open: EventStore[] = [];
  const openStore = (pollIntervalMs?: number, writer: 'inline' | 'thread' = 'inline'): EventStore => {
    const store = openSqliteEventStore({ file, pollIntervalMs, writer });
    open.push(store);
    return store;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'otp-es-'));
    file = join(dir, 'events.db');
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('runs WAL with synchronous=FULL', () => {
    openStore();
    const db = new Database(file);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // synchronous is per connection, so check the function the store applies to its own.
      applyPragmas(db, 5000);
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  });

  it('appends to one stream in one tick see each other, in call order', async () => {
    const store = openStore();
    const s = 'order-1';
    const results = await Promise.all([
      store.append(s, [event('A')], 'no_stream'),
      store.append(s, [event('B'), event('C')], 0n),
      store.append(s, [event('D')], 'stream_exists'),
      store.append(s, [event('E')], 3n),
    ]);
    expect(results.map((r) => r.nextExpectedRevision)).toEqual([0n, 2n, 3n, 4n]);
    const stored = await store.readStream(s);
    expect(stored.map((e) => e.type)).toEqual(['A', 'B', 'C', 'D', 'E']);
    let prev = GENESIS_HASH;
    for (const e of stored) {
      expect(e.metadata.hash).toBe(
        chainHash(prev, { streamName: s, revision: e.revision, id: e.id, type: e.type, data: e.data, metadata: e.metadata }),
      );
      prev = e.metadata.hash;
    }
  });

  it('a failing append rolls back alone; the rest of its batch commits', async () => {
    const store = openStore();
    // A NULL type passes the JS checks and fails on the NOT NULL column after the first event
    // of that append is already inserted: only its savepoint may be rolled back.
    const broken = [event('Fine'), { ...event('Broken'), type: null as unknown as string }];
    const outcomes = await Promise.allSettled([
      store.append('batch-a', [event('A')], 'no_stream'),
      store.append('batch-b', broken, 'no_stream'),
      store.append('batch-c', [event('C')], 'no_stream'),
      store.append('batch-a', [event('A2')], 'no_stream'),
      store.append('batch-a', [event('A3')], 0n),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(Database.SqliteError);
    expect((outcomes[3] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);

    expect(await store.readStream('batch-b')).toEqual([]);
    expect((await store.readStream('batch-a')).map((e) => e.type)).toEqual(['A', 'A3']);
    // The stream head was not advanced by the rolled-back append either.
    await expect(store.append('batch-b', [event('B')], 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0n });
  });

  it('a second connection on the same file (as another process would) is seen by live subscriptions and by revision checks', async () => {
    const reader = openStore(50);
    const writer = openStore();
    const start = (await reader.append('xproc-marker', [event('M')], 'no_stream')).position;

    const abort = new AbortController();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of reader.subscribeToAll({ after: start, signal: abort.signal })) {
        seen.push(e.type);
        if (seen.length === 1) abort.abort();
      }
    })();
    await writer.append('xproc', [event('FromOtherConnection')], 'no_stream');
    await loop;
    expect(seen).toEqual(['FromOtherConnection']);

    await expect(reader.append('xproc', [event('Late')], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
  });

  /** Reads the first live event after `after` and stops. */
  async function firstLiveEvent(reader: EventStore, after: bigint): Promise<string> {
    const abort = new AbortController();
    for await (const e of reader.subscribeToAll({ after, signal: abort.signal })) {
      abort.abort();
      return e.type;
    }
    throw new Error('the subscription ended without an event');
  }

  // A poll of an hour: only the commit's announcement can wake the reader within the test's time.
  const HOUR_MS = 3_600_000;

  it.each(['inline', 'thread'] as const)(
    'wakes a live subscription of another store in this process at once on a commit of its %s writer',
    async (writerKind) => {
      const reader = openStore(HOUR_MS);
      const writer = openStore(undefined, writerKind);
      const start = (await writer.append('signal-marker', [event('M')], 'no_stream')).position;
      const live = firstLiveEvent(reader, start);
      // Let the reader reach its wait first, so the commit below is a live one.
      await new Promise((resolve) => setTimeout(resolve, 20));
      await writer.append('signal', [event('Announced')], 'no_stream');
      expect(await live).toBe('Announced');
    },
  );

  it('finds the commits of a writer that announces nothing (another process) by polling', async () => {
    const reader = openStore(20);
    const start = (await reader.append('poll-marker', [event('M')], 'no_stream')).position;
    const live = firstLiveEvent(reader, start);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A bare connection, as another process's writer is to this one: no announcement reaches the reader.
    const other = new Database(file);
    try {
      other
        .prepare('INSERT INTO events (event_id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)')
        .run('00000000-0000-4000-8000-0000000000aa', 'other-process', 0, 'Polled', '{}', JSON.stringify({ hash: 'h' }));
    } finally {
      other.close();
    }
    expect(await live).toBe('Polled');
  });

  it('opens a file from before the streams table was dropped and continues its chains', async () => {
    const old = openStore();
    await old.append('legacy', [event('A'), event('B')], 'no_stream');
    await old.close();
    // What earlier versions also kept: a table of stream heads, now derived from the events.
    const db = new Database(file);
    db.exec(
      "CREATE TABLE streams (name TEXT PRIMARY KEY, revision INTEGER NOT NULL, last_hash TEXT NOT NULL) WITHOUT ROWID; INSERT INTO streams VALUES ('legacy', 1, 'x')",
    );
    db.close();

    const store = openStore();
    await expect(store.append('legacy', [event('C')], 1n)).resolves.toMatchObject({ nextExpectedRevision: 2n });
    const stored = await store.readStream('legacy');
    expect(stored[2]!.metadata.hash).toBe(
      chainHash(stored[1]!.metadata.hash, {
        streamName: 'legacy',
        revision: 2n,
        id: stored[2]!.id,
        type: 'C',
        data: stored[2]!.data,
        metadata: stored[2]!.metadata,
      }),
    );
    const check = new Database(file);
    try {
      expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'streams'").get()).toEqual({ n: 0 });
    } finally {
      check.close();
    }
  });

  it('numbers the tenants of a file written before the tenant columns, and goes on from there', async () => {
    const old = openStore();
    const of = (tenantId: string, type: string) => event(type, {}, { tenantId });
    await old.append('a-1', [of('cus_a', 'A1'), of('cus_a', 'A2')], 'no_stream');
    await old.append('b-1', [of('cus_b', 'B1')], 'no_stream');
    await old.append('keys', [event('K1')], 'no_stream');
    await old.append('a-2', [of('cus_a', 'A3')], 'no_stream');
    await old.close();
    // The file as the version before wrote it: the same rows, no tenant columns, no index.
    const db = new Database(file);
    db.exec('DROP INDEX events_by_tenant; ALTER TABLE events DROP COLUMN tenant_seq; ALTER TABLE events DROP COLUMN tenant; VACUUM');
    db.close();

    const store = openStore();
    await store.append('a-1', [of('cus_a', 'A4')], 1n);
    expect((await store.readTenant('cus_a')).map((e) => [e.sequence, e.type])).toEqual([
      [1, 'A1'],
      [2, 'A2'],
      [3, 'A3'],
      [4, 'A4'],
    ]);
    expect((await store.readTenant('cus_b')).map((e) => [e.sequence, e.type])).toEqual([[1, 'B1']]);
    const check = new Database(file);
    try {
      const plan = check
        .prepare('EXPLAIN QUERY PLAN SELECT * FROM events WHERE tenant = ? AND tenant_seq > ? ORDER BY tenant_seq LIMIT 10')
        .all('cus_a', 2) as { detail: string }[];
      expect(plan.map((p) => p.detail).join('; ')).toMatch(/^SEARCH events USING INDEX events_by_tenant \(tenant=\? AND tenant_seq>\?\)$/);
    } finally {
      check.close();
    }
  });

  it('finds a stream head with one seek of the (stream, revision) index', () => {
    openStore();
    const db = new Database(file);
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${SELECT_HEAD}`).all('s') as { detail: string }[];
      expect(plan.map((p) => p.detail).join('; ')).toMatch(/^SEARCH events USING INDEX sqlite_autoindex_events_2 \(stream=\?\)$/);
    } finally {
      db.close();
    }
  });

  it('when its writer thread dies, appends and ping fail with the reason, then a new thread takes over', async () => {
    const failures: { message: string; restartInMs: number }[] = [];
    const store = openSqliteEventStore({
      file,
      writer: 'thread',
      onWriterFailure: (error, restartInMs) => failures.push({ message: error.message, restartInMs }),
    });
    open.push(store);
    await store.append('before-death', [event('A')], 'no_stream');
    // Stands in for a crash of the thread (a native fault, running out of memory).
    await (store as unknown as { writer: { worker: { terminate(): Promise<number> } } }).writer.worker.terminate();
    await expect(store.append('after-death', [event('B')], 'no_stream')).rejects.toThrow(/writer thread exited/);
    await expect(store.ping()).rejects.toThrow(/writer thread exited/);
    // Reads do not need the writer.
    expect(await store.readStream('before-death')).toHaveLength(1);
    expect(failures).toEqual([{ message: expect.stringMatching(/writer thread exited/) as string, restartInMs: 100 }]);

    await vi.waitFor(() => store.ping(), { timeout: 5_000, interval: 20 });
    await expect(store.append('after-death', [event('B')], 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0n });
    await expect(store.append('before-death', [event('C')], 0n)).resolves.toMatchObject({ nextExpectedRevision: 1n });
    expect((await store.readStream('before-death')).map((e) => e.type)).toEqual(['A', 'C']);
  });

  it('waits longer before each restart while its writer thread keeps dying, and less again once one commits', async () => {
    const delays: number[] = [];
    const store = openSqliteEventStore({ file, writer: 'thread', onWriterFailure: (_error, restartInMs) => delays.push(restartInMs) });
    open.push(store);
    const crashAndRestart = async () => {
      const before = delays.length;
      await (store as unknown as { writer: { worker: { terminate(): Promise<number> } } }).writer.worker.terminate();
      await vi.waitFor(() => expect(delays).toHaveLength(before + 1), { timeout: 2_000, interval: 10 });
      await vi.waitFor(() => store.ping(), { timeout: 5_000, interval: 20 });
    };
    await store.append('s', [event('A')], 'no_stream');
    await crashAndRestart();
    await crashAndRestart();
    await crashAndRestart();
    await store.append('s', [event('B')], 0n);
    await crashAndRestart();
    expect(delays).toEqual([100, 200, 400, 100]);
  });

  it.each(['inline', 'thread'] as const)('close commits appends already queued (%s writer)', async (writer) => {
    const store = openSqliteEventStore({ file, writer });
    const pending = [store.append('close-1', [event('A')], 'no_stream'), store.append('close-1', [event('B')], 0n)];
    await store.close();
    await expect(Promise.all(pending)).resolves.toMatchObject([{ nextExpectedRevision: 0n }, { nextExpectedRevision: 1n }]);
    await expect(store.append('close-1', [event('C')], 1n)).rejects.toThrow(/closed/);
    const reopened = openStore();
    expect(await reopened.readStream('close-1')).toHaveLength(2);
  });
});
