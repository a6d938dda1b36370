import Database from 'better-sqlite3';
import {
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ReadTenantOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type TenantEvent,
} from '../port';
import { assertAppendable } from '../append-input';
import { SqliteBatchWriter, type PendingAppend } from './batch-writer';
import { CommitListener } from './commit-broadcast';
import { CommitSignal } from './commit-signal';
import { LogPages } from './log-pages';
import { GroupCommitQueue, type Settled } from './group-commit';
import { StorageHealth, storageFailureOf } from './storage-failure';
import { applyPragmas, createSchema } from './schema';
import { WriterThread } from './writer-thread';

export interface SqliteEventStoreOptions {
  /** Path of the database file; created when missing. */
  file: string;
  /**
   * Where appends are sealed and committed. 'thread': a writer thread of this store's own, so
   * the fsync and the inserts never hold up the event loop (the server's choice). 'inline':
   * on the calling thread (tools, and processes that only read). Default 'inline'.
   */
  writer?: 'inline' | 'thread';
  /** With the thread writer: told when the thread died and when the next one starts (for the log). */
  onWriterFailure?: (error: Error, restartInMs: number) => void;
  /**
   * How often a live subscription looks for commits made by other processes. Commits made in
   * this process, on any thread, wake it at once. Default 250 ms.
   */
  pollIntervalMs?: number;
  /** How long a commit waits for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

interface EventRow {
  position: bigint;
  event_id: string;
  stream: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
}

interface TenantRow extends EventRow {
  tenant_seq: bigint;
}

const SUBSCRIPTION_PAGE = 500;
/** Complete pages kept for subscriptions reading the same stretch of the log (`LogPages`). */
const SHARED_PAGES = 32;

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteEventStore(options);
}

export class SqliteEventStore implements EventStore {
  /** Reads on this thread; all writes go through `writer`. */
  private readonly db: Database.Database;
  private readonly writer: SqliteBatchWriter | WriterThread;
  private readonly queue: GroupCommitQueue<PendingAppend, AppendResult>;
  private readonly commits = new CommitSignal();
  /** Commits announced by the writers of other threads (the server's writer thread, for the projection thread). */
  private readonly announced: CommitListener;
  private readonly storage = new StorageHealth();
  private readonly pollIntervalMs: number;
  private readonly pages = new LogPages((after, limit) => this.readPage(after, limit), SUBSCRIPTION_PAGE, SHARED_PAGES);
  private closed = false;

  private readonly selectStream: Database.Statement<[string, bigint], EventRow>;
  private readonly selectAfter: Database.Statement<[bigint, number], EventRow>;
  private readonly selectAt: Database.Statement<[bigint], EventRow>;
  private readonly selectTenant: Database.Statement<[string, number, number], TenantRow>;

  constructor(options: SqliteEventStoreOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.announced = new CommitListener(options.file, () => this.commits.notify());
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    this.db = new Database(options.file);
    applyPragmas(this.db, busyTimeoutMs);
    createSchema(this.db);
    // Positions and revisions are bigint at the port; reading them as bigint avoids any
    // precision question instead of converting numbers back and forth.
    this.db.defaultSafeIntegers(true);

    const columns = 'position, event_id, stream, revision, type, data, metadata';
    this.selectStream = this.db.prepare(`SELECT ${columns} FROM events WHERE stream = ? AND revision > ? ORDER BY revision`);
    this.selectAfter = this.db.prepare(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`);
    this.selectAt = this.db.prepare(`SELECT ${columns} FROM events WHERE position = ?`);
    this.selectTenant = this.db.prepare(
      `SELECT ${columns}, tenant_seq FROM events WHERE tenant = ? AND tenant_seq > ? ORDER BY tenant_seq LIMIT ?`,
    );

    const writer =
      options.writer === 'thread'
        ? new WriterThread({ file: options.file, busyTimeoutMs, onFailure: options.onWriterFailure })
        : new SqliteBatchWriter(options.file, busyTimeoutMs);
    this.writer = writer;
    this.queue = new GroupCommitQueue(
      (batch) => this.commitBatch(batch),
      () => this.commits.notify(),
    );
  }

  /**
   * A full disk or a failing file surfaces as the port's retryable EventStoreUnavailableError
   * (HTTP 503) when nothing was stored, and is held for readiness either way, instead of a raw
   * SqliteError (a 500 with a stack on every request while the disk stays full).
   */
  private commitBatch(batch: PendingAppend[]): Settled<AppendResult>[] | Promise<Settled<AppendResult>[]> {
    const settle = (results: Settled<AppendResult>[]) => {
      let failedHere = false;
      const settled = results.map((result) => {
        const failure = result.ok ? undefined : storageFailureOf(result.error);
        if (!failure) return result;
        failedHere = true;
        return { ok: false as const, error: this.storage.failed(failure) };
      });
      // Only a batch that wrote and met no storage failure proves the file takes writes again.
      if (!failedHere && results.some((result) => result.ok)) this.storage.committed();
      return settled;
    };
    const refuse = (error: unknown): never => {
      const failure = storageFailureOf(error);
      throw failure ? this.storage.failed(failure) : error;
    };
    let outcome: Settled<AppendResult>[] | Promise<Settled<AppendResult>[]>;
    try {
      outcome = this.writer.commit(batch);
    } catch (error) {
      return refuse(error);
    }
    return outcome instanceof Promise ? outcome.then(settle, refuse) : settle(outcome);
  }

  append(streamName: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    try {
      assertAppendable(streamName, events);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.queue.enqueue({ streamName, events, expected: expectedRevision });
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.selectStream.all(streamName, options.after ?? -1n).map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readPage(options.after ?? 0n, options.maxCount ?? -1);
  }

  async readTenant(tenantId: string, options: ReadTenantOptions = {}): Promise<TenantEvent[]> {
    const rows = this.selectTenant.all(tenantId, options.after?.sequence ?? 0, options.maxCount ?? -1);
    return rows.map((row) => ({ ...toRecorded(row), sequence: Number(row.tenant_seq) }));
  }

  async readAt(position: bigint): Promise<RecordedEvent | undefined> {
    const row = this.selectAt.get(position);
    return row ? toRecorded(row) : undefined;
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const { signal } = options;
    let cursor = options.after ?? 0n;
    const release = this.announced.acquire();
    try {
      while (!signal?.aborted && !this.closed) {
        const seen = this.commits.current;
        const page = this.pages.after(cursor);
        for (const event of page.events) {
          yield event;
          cursor = event.position;
          if (signal?.aborted || this.closed) return;
        }
        cursor = page.through;
        if (!page.complete) await this.commits.wait(seen, this.pollIntervalMs, signal);
      }
    } finally {
      release();
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('event store is closed');
    if (this.writer.unavailable) throw this.writer.unavailable;
    const failing = this.storage.current;
    if (failing) throw failing;
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.drain();
    // Wakes live subscriptions so they see `closed` and end instead of reading a closed handle.
    this.commits.notify();
    await this.writer.close();
    this.db.close();
  }

  private readPage(after: bigint, maxCount: number): RecordedEvent[] {
    return this.selectAfter.all(after, maxCount).map(toRecorded);
  }
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    streamName: row.stream,
    revision: row.revision,
    position: row.position,
    data: JSON.parse(row.data) as Record<string, unknown>,
    metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
  };
}
