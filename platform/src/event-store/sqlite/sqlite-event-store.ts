import Database from 'better-sqlite3';
import { GENESIS_HASH } from '@otp/contracts';
import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../port';
import { assertAppendable } from '../append-input';
import { revisionMatches } from '../expected-revision';
import { matchStoredRun, type StoredMatch } from '../idempotency';
import { sealEvents, type SealedEvent } from '../seal';
import { CommitSignal } from './commit-signal';
import { GroupCommitQueue, type Settled } from './group-commit';
import { applyPragmas, createSchema } from './schema';

export interface SqliteEventStoreOptions {
  /** Path of the database file; created when missing. */
  file: string;
  /** How often a live subscription looks for commits made by other processes. Default 250 ms. */
  pollIntervalMs?: number;
  /** How long a commit waits for another process's write lock. Default 5000 ms. */
  busyTimeoutMs?: number;
}

interface PendingAppend {
  streamName: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
}

interface StreamHead {
  revision: bigint;
  lastHash: string;
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

const SUBSCRIPTION_PAGE = 500;

export function openSqliteEventStore(options: SqliteEventStoreOptions): SqliteEventStore {
  return new SqliteEventStore(options);
}

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly queue: GroupCommitQueue<PendingAppend, AppendResult>;
  private readonly commits = new CommitSignal();
  private readonly pollIntervalMs: number;
  private closed = false;

  private readonly selectHead: Database.Statement<[string], { revision: bigint; last_hash: string }>;
  private readonly upsertHead: Database.Statement<[string, bigint, string]>;
  private readonly insertEvent: Database.Statement<[string, string, bigint, string, string, string]>;
  private readonly selectById: Database.Statement<[string], { stream: string; revision: bigint; position: bigint }>;
  private readonly selectStream: Database.Statement<[string, bigint], EventRow>;
  private readonly selectAfter: Database.Statement<[bigint, number], EventRow>;
  private readonly insertRun: (streamName: string, sealed: SealedEvent[]) => bigint;
  private readonly commitAll: { immediate: (batch: PendingAppend[]) => Settled<AppendResult>[] };

  constructor(options: SqliteEventStoreOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.db = new Database(options.file);
    applyPragmas(this.db, options.busyTimeoutMs ?? 5000);
    createSchema(this.db);
    // Positions and revisions are bigint at the port; reading them as bigint avoids any
    // precision question instead of converting numbers back and forth.
    this.db.defaultSafeIntegers(true);

    this.selectHead = this.db.prepare('SELECT revision, last_hash FROM streams WHERE name = ?');
    this.upsertHead = this.db.prepare(
      'INSERT INTO streams (name, revision, last_hash) VALUES (?, ?, ?) ' +
        'ON CONFLICT (name) DO UPDATE SET revision = excluded.revision, last_hash = excluded.last_hash',
    );
    this.insertEvent = this.db.prepare(
      'INSERT INTO events (event_id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.selectById = this.db.prepare('SELECT stream, revision, position FROM events WHERE event_id = ?');
    const columns = 'position, event_id, stream, revision, type, data, metadata';
    this.selectStream = this.db.prepare(`SELECT ${columns} FROM events WHERE stream = ? AND revision > ? ORDER BY revision`);
    this.selectAfter = this.db.prepare(`SELECT ${columns} FROM events WHERE position > ? ORDER BY position LIMIT ?`);

    // Called inside the batch transaction, so better-sqlite3 runs it as a SAVEPOINT: a failure
    // rolls back this one append and leaves the others in the batch intact.
    this.insertRun = this.db.transaction((streamName: string, sealed: SealedEvent[]): bigint => {
      let position = 0n;
      for (const e of sealed) {
        const info = this.insertEvent.run(e.id, streamName, e.revision, e.type, e.dataJson, e.metadataJson);
        position = BigInt(info.lastInsertRowid);
      }
      const last = sealed[sealed.length - 1] as SealedEvent;
      this.upsertHead.run(streamName, last.revision, last.metadata.hash);
      return position;
    });
    // IMMEDIATE takes the write lock up front: the heads read at the start of the batch stay
    // true until commit even when another process shares the file.
    this.commitAll = this.db.transaction((batch: PendingAppend[]) => {
      const heads = new Map<string, StreamHead | null>();
      return batch.map((pending) => this.appendInBatch(pending, heads));
    });
    this.queue = new GroupCommitQueue((batch) => this.commitAll.immediate(batch), () => this.commits.notify());
  }

  append(streamName: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    try {
      assertAppendable(streamName, events);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue.enqueue({ streamName, events, expected: expectedRevision });
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.selectStream.all(streamName, options.after ?? -1n).map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.readPage(options.after ?? 0n, options.maxCount ?? -1);
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const { signal } = options;
    let cursor = options.after ?? 0n;
    while (!signal?.aborted && !this.closed) {
      const seen = this.commits.current;
      const page = this.readPage(cursor, SUBSCRIPTION_PAGE);
      for (const event of page) {
        yield event;
        cursor = event.position;
        if (signal?.aborted || this.closed) return;
      }
      if (page.length < SUBSCRIPTION_PAGE) await this.commits.wait(seen, this.pollIntervalMs, signal);
    }
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('event store is closed');
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.queue.flush();
    this.closed = true;
    // Wakes live subscriptions so they see `closed` and end instead of reading a closed handle.
    this.commits.notify();
    this.db.close();
  }

  private readPage(after: bigint, maxCount: number): RecordedEvent[] {
    return this.selectAfter.all(after, maxCount).map(toRecorded);
  }

  /**
   * One append within the batch transaction. Expected-revision conflicts are decided here in
   * JS against `heads` (this batch's view, updated only after an append's savepoint succeeds),
   * so appends to one stream in one batch see each other in order, and a predictable refusal
   * costs no SQL error.
   */
  private appendInBatch(pending: PendingAppend, heads: Map<string, StreamHead | null>): Settled<AppendResult> {
    const { streamName, events, expected } = pending;
    try {
      const head = this.head(streamName, heads);
      const actual = head ? head.revision : 'no_stream';
      if (!revisionMatches(expected, actual)) {
        return this.settleStored(streamName, events, () => new WrongExpectedRevisionError(streamName, expected, actual));
      }
      const { sealed, lastHash } = sealEvents(streamName, head ? head.revision : -1n, head ? head.lastHash : GENESIS_HASH, events);
      let position: bigint;
      try {
        position = this.insertRun(streamName, sealed);
      } catch (error) {
        if (!this.db.inTransaction) throw error;
        // With 'any' or 'stream_exists' the revision check passes for a repeat; the unique
        // event_id index is what notices it.
        if (isEventIdConflict(error)) return this.settleStored(streamName, events, () => error);
        return { ok: false, error };
      }
      const revision = head ? head.revision + BigInt(events.length) : BigInt(events.length - 1);
      heads.set(streamName, { revision, lastHash });
      return { ok: true, value: { nextExpectedRevision: revision, position } };
    } catch (error) {
      // SQLite dropped the whole transaction (I/O error, disk full): earlier appends of this
      // batch are gone too, so the batch must fail as a whole rather than report them stored.
      if (!this.db.inTransaction) throw error;
      return { ok: false, error };
    }
  }

  private head(streamName: string, heads: Map<string, StreamHead | null>): StreamHead | null {
    const cached = heads.get(streamName);
    if (cached !== undefined) return cached;
    const row = this.selectHead.get(streamName);
    const head = row ? { revision: row.revision, lastHash: row.last_hash } : null;
    heads.set(streamName, head);
    return head;
  }

  /** Settles an append whose ids may already be stored: the original result, a duplicate, or `otherwise`. */
  private settleStored(streamName: string, events: EventToAppend[], otherwise: () => unknown): Settled<AppendResult> {
    const match: StoredMatch = matchStoredRun(
      streamName,
      events.map((e) => e.id),
      (id) => {
        const row = this.selectById.get(id);
        return row ? { streamName: row.stream, revision: row.revision, position: row.position } : undefined;
      },
    );
    if (match.kind === 'repeat') {
      return { ok: true, value: { nextExpectedRevision: match.lastRevision, position: match.lastPosition } };
    }
    if (match.kind === 'duplicate') return { ok: false, error: new DuplicateEventIdError(streamName, match.eventId) };
    return { ok: false, error: otherwise() };
  }
}

function isEventIdConflict(error: unknown): boolean {
  return (
    error instanceof Database.SqliteError &&
    error.code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    error.message.includes('events.event_id')
  );
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
