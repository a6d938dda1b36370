/**
 * The event store port. Adapters: `./sqlite` (embedded), `./esdb` (EventStoreDB).
 * Domain code depends on this file only.
 */

/** Where the stream must stand for an append to succeed. A bigint is the exact revision of its last event. */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | bigint;

export interface EventToAppend {
  /** UUID. Appending an id the stream already holds (same ids, same order) is a no-op. */
  id: string;
  type: string;
  data: Record<string, unknown>;
  /** Free-form metadata; the store adds `hash` (see contracts/audit/hash-chain). */
  metadata: Record<string, unknown>;
}

export interface RecordedEvent {
  id: string;
  type: string;
  streamName: string;
  /** 0-based position of the event in its stream. */
  revision: bigint;
  /** Position in the global commit order; strictly increasing across all streams. */
  position: bigint;
  data: Record<string, unknown>;
  metadata: Record<string, unknown> & { hash: string };
}

export interface AppendResult {
  /** Revision of the stream's last event after the append: the next expected revision. */
  nextExpectedRevision: bigint;
  /** Global position of the last event written (or already stored, for an idempotent repeat). */
  position: bigint;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted: from the start. */
  after?: bigint;
  maxCount?: number;
}

export interface ReadStreamOptions {
  /** Exclusive: only events after this revision. Omitted: the whole stream. */
  after?: bigint;
}

/** An event of one tenant's history: `sequence` is its 1-based index among that tenant's events, in global order. */
export interface TenantEvent extends RecordedEvent {
  sequence: number;
}

/** Where a page of a tenant's history starts: after the event numbered `sequence` (0: from the first). */
export interface TenantCursor {
  sequence: number;
  /**
   * That event's global position, when the reader has it (the last event of the page before):
   * an adapter without a per-tenant numbering resumes from here instead of counting from the start.
   */
  position?: bigint;
}

export interface ReadTenantOptions {
  after?: TenantCursor;
  maxCount?: number;
}

export interface SubscribeOptions {
  /** Exclusive, as in readAll. */
  after?: bigint;
  signal?: AbortSignal;
}

export interface EventStore {
  append(streamName: string, events: EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /**
   * One stream's events in revision order (all, or those after `options.after`); empty when
   * the stream does not exist or holds nothing newer.
   */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** One page of the global log in commit order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * One page of the events whose `metadata.tenantId` is `tenantId`, in global commit order,
   * numbered by their place in that tenant's history. Other tenants' events are never returned
   * (and not read, where the adapter has an index for it).
   */
  readTenant(tenantId: string, options?: ReadTenantOptions): Promise<TenantEvent[]>;
  /**
   * The event stored at exactly this global position; undefined when none is (a position past
   * the end, or one this log never gave an event). For telling whether a checkpoint belongs to
   * this log: "the first event after position - 1" is not the same question where positions
   * have gaps. EventStoreDB rejects a position inside one of its records instead of answering.
   */
  readAt(position: bigint): Promise<RecordedEvent | undefined>;
  /** Catch-up from `after`, then live, in commit order; ends when `signal` aborts. Read with `for await`. */
  subscribeToAll(options?: SubscribeOptions): AsyncIterable<RecordedEvent>;
  /** Checks the store answers; throws when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class WrongExpectedRevisionError extends Error {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual last revision, or 'no_stream'. */
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${streamName}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/** An append reused event ids that the store holds, but not as the exact same append. */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly streamName: string,
    readonly eventId: string,
  ) {
    super(`event id ${eventId} already stored, appended again to ${streamName} in a different position`);
  }
}

/**
 * The store cannot take appends for a moment (a full disk, its writer
 * restarting, its connection down). An append refused before it reached the
 * writer stored nothing. One that was in flight when a writer died may or may
 * not be stored: retrying it with the same event ids is safe either way, since
 * a repeat of stored ids is answered as stored.
 */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
}
