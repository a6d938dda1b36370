import Database from 'better-sqlite3';
import { GENESIS_HASH } from '@otp/contracts/audit';
import { DuplicateEventIdError, WrongExpectedRevisionError, type AppendResult, type EventToAppend, type ExpectedRevision } from '../port';
import { revisionMatches } from '../expected-revision';
import { matchStoredRun, type StoredMatch } from '../idempotency';
import { sealEvents, type SealedEvent } from '../seal';
import { CommitAnnouncer } from './commit-broadcast';
import type { Settled } from './group-commit';
import { applyPragmas } from './schema';

export interface PendingAppend {
  streamName: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
}

/** A stream's last revision and hash: the last entry of the (stream, revision) index. */
export const SELECT_HEAD =
  "SELECT revision, json_extract(metadata, '$.hash') AS last_hash FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1";

/** A tenant's last sequence number: the last entry of its (tenant, tenant_seq) index. */
const SELECT_TENANT_HEAD = 'SELECT tenant_seq FROM events WHERE tenant = ? ORDER BY tenant_seq DESC LIMIT 1';

interface StreamHead {
  revision: bigint;
  lastHash: string;
}

/**
 * The write half of the SQLite store: a batch of appends in one IMMEDIATE
 * transaction (one fsync), each append in its own savepoint with its own
 * result. It owns one connection and runs wherever the store puts it: on the
 * writer thread, or inline.
 */
export class SqliteBatchWriter {
  private readonly db: Database.Database;
  private readonly selectHead: Database.Statement<[string], { revision: bigint; last_hash: string }>;
  private readonly selectTenantHead: Database.Statement<[string], { tenant_seq: bigint }>;
  private readonly insertEvent: Database.Statement<[string, string, bigint, string, string, string, string | null, bigint | null]>;
  private readonly selectById: Database.Statement<[string], { stream: string; revision: bigint; position: bigint }>;
  private readonly insertRun: (streamName: string, sealed: SealedEvent[], tenants: TenantSeqs) => bigint;
  private readonly commitAll: { immediate: (batch: PendingAppend[]) => Settled<AppendResult>[] };
  private readonly announcer: CommitAnnouncer;

  constructor(file: string, busyTimeoutMs: number) {
    this.db = new Database(file);
    this.announcer = new CommitAnnouncer(file);
    applyPragmas(this.db, busyTimeoutMs);
    this.db.defaultSafeIntegers(true);
    this.selectHead = this.db.prepare(SELECT_HEAD);
    this.selectTenantHead = this.db.prepare(SELECT_TENANT_HEAD);
    this.insertEvent = this.db.prepare(
      'INSERT INTO events (event_id, stream, revision, type, data, metadata, tenant, tenant_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectById = this.db.prepare('SELECT stream, revision, position FROM events WHERE event_id = ?');

    // Called inside the batch transaction, so better-sqlite3 runs it as a SAVEPOINT: a failure
    // rolls back this one append and leaves the others in the batch intact.
    this.insertRun = this.db.transaction((streamName: string, sealed: SealedEvent[], tenants: TenantSeqs): bigint => {
      let position = 0n;
      for (const e of sealed) {
        const tenant = tenantOf(e);
        const seq = tenant === null ? null : this.nextTenantSeq(tenant, tenants);
        const info = this.insertEvent.run(e.id, streamName, e.revision, e.type, e.dataJson, e.metadataJson, tenant, seq);
        position = BigInt(info.lastInsertRowid);
      }
      return position;
    });
    // IMMEDIATE takes the write lock up front: the heads read at the start of the batch stay
    // true until commit even when another process shares the file.
    this.commitAll = this.db.transaction((batch: PendingAppend[]) => {
      const heads = new Map<string, StreamHead | null>();
      const tenants: TenantSeqs = new Map();
      return batch.map((pending) => this.appendInBatch(pending, heads, tenants));
    });
  }

  /** Inline, the writer is available whenever the store is open. */
  readonly unavailable: Error | undefined = undefined;

  /** Commits the batch; throws when the transaction as a whole failed (then nothing of it is stored). */
  commit(batch: PendingAppend[]): Settled<AppendResult>[] {
    const results = this.commitAll.immediate(batch);
    // Said from here, the thread that committed: other threads' subscriptions wake without polling.
    if (results.some((result) => result.ok)) this.announcer.announce();
    return results;
  }

  close(): void {
    this.announcer.close();
    this.db.close();
  }

  /**
   * One append within the batch transaction. Expected-revision conflicts are decided here in
   * JS against `heads` (this batch's view, updated only after an append's savepoint succeeds),
   * so appends to one stream in one batch see each other in order, and a predictable refusal
   * costs no SQL error.
   */
  private appendInBatch(pending: PendingAppend, heads: Map<string, StreamHead | null>, tenants: TenantSeqs): Settled<AppendResult> {
    const { streamName, events, expected } = pending;
    try {
      const head = this.head(streamName, heads);
      const actual = head ? head.revision : 'no_stream';
      if (!revisionMatches(expected, actual)) {
        return this.settleStored(streamName, events, () => new WrongExpectedRevisionError(streamName, expected, actual));
      }
      const { sealed, lastHash } = sealEvents(streamName, head ? head.revision : -1n, head ? head.lastHash : GENESIS_HASH, events);
      let position: bigint;
      // Numbered on a copy: an append whose savepoint rolls back must not use up its tenant's numbers.
      const numbered = new Map(tenants);
      try {
        position = this.insertRun(streamName, sealed, numbered);
      } catch (error) {
        if (!this.db.inTransaction) throw error;
        // With 'any' or 'stream_exists' the revision check passes for a repeat; the unique
        // event_id index is what notices it.
        if (isEventIdConflict(error)) return this.settleStored(streamName, events, () => error);
        return { ok: false, error };
      }
      const revision = head ? head.revision + BigInt(events.length) : BigInt(events.length - 1);
      heads.set(streamName, { revision, lastHash });
      for (const [tenant, seq] of numbered) tenants.set(tenant, seq);
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

  private nextTenantSeq(tenant: string, tenants: TenantSeqs): bigint {
    const last = tenants.get(tenant) ?? this.selectTenantHead.get(tenant)?.tenant_seq ?? 0n;
    tenants.set(tenant, last + 1n);
    return last + 1n;
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

/** This batch's view of each tenant's last sequence number. */
type TenantSeqs = Map<string, bigint>;

function tenantOf(event: SealedEvent): string | null {
  const tenantId = event.metadata['tenantId'];
  return typeof tenantId === 'string' ? tenantId : null;
}

function isEventIdConflict(error: unknown): boolean {
  return error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE' && error.message.includes('events.event_id');
}
