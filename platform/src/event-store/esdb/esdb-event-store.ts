import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
  type AllStreamResolvedEvent,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
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
  type ReadTenantOptions,
  type RecordedEvent,
  type SubscribeOptions,
  type TenantEvent,
} from '../port';
import { assertAppendable } from '../append-input';
import { revisionMatches } from '../expected-revision';
import { matchStoredRun, type StoredLocation } from '../idempotency';
import { sealEvents } from '../seal';

export interface EsdbEventStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false` */
  connectionString: string;
  /** Extra attempts when an 'any' / 'stream_exists' append loses a race to another writer. Default 5. */
  raceRetries?: number;
}

type EsdbRecorded = NonNullable<ResolvedEvent['event']>;

/** Never written: reading it answers "not found", which proves the server reads for us. */
const PING_STREAM = 'health-ping';

interface StreamHead {
  revision: bigint;
  lastHash: string;
}

export function connectEsdbEventStore(options: EsdbEventStoreOptions): EsdbEventStore {
  return new EsdbEventStore(EventStoreDBClient.connectionString(options.connectionString), options.raceRetries ?? 5);
}

/**
 * EventStoreDB adapter.
 *
 * The hash chain is why every append is written with the exact revision just read: the new
 * events' hashes depend on the stream's last hash, so letting the server place them with
 * ANY / STREAM_EXISTS could put them after an event whose hash they do not chain from. The
 * port's 'any' and 'stream_exists' are honoured by reading the head, appending at exactly it,
 * and on a lost race reading again (a few times): those callers did not pin a revision, so a
 * concurrent writer is not a conflict for them. A caller's exact revision or 'no_stream' is
 * never retried past a real conflict.
 *
 * EventStoreDB has no index of event ids across streams, so ids are compared with the
 * stream's own events, and only when a repeat is possible: on a revision mismatch, or when
 * the caller's expectation ('any', 'stream_exists') would let a repeat through. An id reused
 * in another stream, or at another place under a correct exact revision, is not detected.
 */
export class EsdbEventStore implements EventStore {
  constructor(
    private readonly client: EventStoreDBClient,
    private readonly raceRetries: number,
  ) {}

  async append(streamName: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    assertAppendable(streamName, events);
    const pinsRevision = expected !== 'any' && expected !== 'stream_exists';
    // A pinned expectation gets one more pass after a server-side conflict, only to tell an
    // idempotent repeat racing its original apart from a real conflict.
    const attempts = pinsRevision ? 2 : 1 + this.raceRetries;
    for (let attempt = 1; ; attempt++) {
      const head = await this.readHead(streamName);
      const actual = head ? head.revision : 'no_stream';
      const matches = revisionMatches(expected, actual);
      if (!matches || (!pinsRevision && head)) {
        const stored = await this.matchStored(streamName, events);
        if (stored) return stored;
        if (!matches) throw new WrongExpectedRevisionError(streamName, expected, actual);
      }
      const { sealed } = sealEvents(streamName, head ? head.revision : -1n, head ? head.lastHash : GENESIS_HASH, events);
      try {
        const result = await this.client.appendToStream(
          streamName,
          sealed.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
          { expectedRevision: head ? head.revision : NO_STREAM },
        );
        if (!result.position) throw new Error(`append to ${streamName}: the server returned no position`);
        return { nextExpectedRevision: result.nextExpectedRevision, position: result.position.commit };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (attempt >= attempts) throw new WrongExpectedRevisionError(streamName, expected, error.actualVersion);
      }
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    const fromRevision = options.after === undefined ? START : options.after + 1n;
    try {
      for await (const resolved of this.client.readStream(streamName, { direction: FORWARDS, fromRevision })) {
        if (resolved.event) events.push(toRecorded(resolved.event, resolved.commitPosition));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { after, maxCount = Number.POSITIVE_INFINITY } = options;
    const events: RecordedEvent[] = [];
    if (maxCount <= 0) return events;
    // No server-side maxCount: system events are dropped here, and a page cut short by them
    // would look like the end of the log to a caller paging until a short page.
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: fromPosition(after) });
    try {
      for await (const resolved of read) {
        const event = userEvent(resolved);
        if (!event || (after !== undefined && event.position <= after)) continue;
        events.push(event);
        if (events.length >= maxCount) break;
      }
    } finally {
      // Leaving the loop early only destroys the client's stream object; without a cancel the
      // gRPC call stays open and the server goes on pushing the rest of $all into it.
      await read.cancel().catch(() => undefined);
    }
    return events;
  }

  /**
   * EventStoreDB indexes streams and $all, not metadata: its server-side filters (on
   * subscriptions only, in this client) match stream names and event types, and a session
   * stream's name carries no tenant. So this reads $all forward from the cursor's position and
   * keeps the tenant's events, numbering them from the cursor's sequence. Without a position
   * (a resumed export) it counts from the start of the log. The command service's credentials
   * must be allowed to read $all for this route, unlike for the rest.
   */
  async readTenant(tenantId: string, options: ReadTenantOptions = {}): Promise<TenantEvent[]> {
    const { after = { sequence: 0 }, maxCount = Number.POSITIVE_INFINITY } = options;
    const events: TenantEvent[] = [];
    if (maxCount <= 0) return events;
    let sequence = after.position === undefined ? 0 : after.sequence;
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: fromPosition(after.position) });
    try {
      for await (const resolved of read) {
        const event = userEvent(resolved);
        if (!event || event.metadata['tenantId'] !== tenantId) continue;
        if (after.position !== undefined && event.position <= after.position) continue;
        sequence += 1;
        if (sequence <= after.sequence) continue;
        events.push({ ...event, sequence });
        if (events.length >= maxCount) break;
      }
    } finally {
      await read.cancel().catch(() => undefined);
    }
    return events;
  }

  async readAt(position: bigint): Promise<RecordedEvent | undefined> {
    // A forward read of $all includes the record that starts at its position (the server keeps
    // records at or after it), so the first record read is the one at `position` if any is.
    // Anything else there (a system event, a later event, the end of the log) is a no.
    // From the leader: a follower that has not replicated up to the position would answer
    // "no event there", and the caller would rebuild or republish everything.
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: fromPosition(position), maxCount: 1, requiresLeader: true });
    try {
      for await (const resolved of read) {
        const event = userEvent(resolved);
        return event?.position === position ? event : undefined;
      }
    } catch (error) {
      // A position inside a record (a checkpoint from another log) is refused by the server
      // since 23.10 ("Trying to read from an invalid position."): that is a no
      // too, not a failure to retry for ever.
      if (error instanceof Error && /invalid position/i.test(error.message)) return undefined;
      throw error;
    }
    return undefined;
  }

  async *subscribeToAll(options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent> {
    const { after, signal } = options;
    if (signal?.aborted) return;
    const subscription = this.client.subscribeToAll({ fromPosition: fromPosition(after), filter: excludeSystemEvents() });
    const stop = (): void => void subscription.unsubscribe().catch(() => undefined);
    signal?.addEventListener('abort', stop, { once: true });
    try {
      for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
        if (signal?.aborted) return;
        const event = userEvent(resolved);
        // Whether the server starts at or after a given position is not something to rely on:
        // `after` is exclusive at the port, so the event at it is skipped here.
        if (!event || (after !== undefined && event.position <= after)) continue;
        yield event;
      }
    } catch (error) {
      if (signal?.aborted) return;
      throw error;
    } finally {
      signal?.removeEventListener('abort', stop);
      await subscription.unsubscribe().catch(() => undefined);
    }
  }

  /**
   * Reads one user stream, not $all: in a secure cluster $all is for admins by default, and
   * the command service's credentials should not need that only to be found ready.
   */
  async ping(): Promise<void> {
    try {
      for await (const _ of this.client.readStream(PING_STREAM, { maxCount: 1, deadline: 5000 })) break;
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async readHead(streamName: string): Promise<StreamHead | null> {
    try {
      for await (const resolved of this.client.readStream(streamName, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
        if (!resolved.event) continue;
        const hash = (resolved.event.metadata as { hash?: unknown } | undefined)?.hash;
        if (typeof hash !== 'string') throw new Error(`stream ${streamName}: last event has no hash; not written by this store`);
        return { revision: resolved.event.revision, lastHash: hash };
      }
      return null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  /** The original result when these ids are this stream's run already; throws when they are stored otherwise. */
  private async matchStored(streamName: string, events: EventToAppend[]): Promise<AppendResult | undefined> {
    const byId = new Map<string, StoredLocation>();
    for (const e of await this.readStream(streamName)) {
      byId.set(e.id, { streamName, revision: e.revision, position: e.position });
    }
    const match = matchStoredRun(
      streamName,
      events.map((e) => e.id),
      (id) => byId.get(id),
    );
    if (match.kind === 'duplicate') throw new DuplicateEventIdError(streamName, match.eventId);
    if (match.kind === 'repeat') return { nextExpectedRevision: match.lastRevision, position: match.lastPosition };
    return undefined;
  }
}

function fromPosition(after: bigint | undefined): ReadPosition {
  // Events written by gRPC appends are implicitly committed prepares: the server reports each
  // one's commit position as its own log position, equal to its prepare position, so the pair
  // rebuilt from one number is a real record position.
  return after === undefined ? START : { commit: after, prepare: after };
}

function userEvent(resolved: AllStreamResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event || event.type.startsWith('$') || event.streamId.startsWith('$')) return undefined;
  return toRecorded(event, resolved.commitPosition);
}

function toRecorded(event: EsdbRecorded, commitPosition: bigint | undefined): RecordedEvent {
  const position = event.position?.commit ?? commitPosition;
  if (position === undefined) {
    throw new Error(`event ${event.id} in ${event.streamId} came without a commit position (server older than 22.6?)`);
  }
  if (!event.isJson) throw new Error(`event ${event.id} in ${event.streamId} is not JSON; not written by this store`);
  return {
    id: event.id,
    type: event.type,
    streamName: event.streamId,
    revision: event.revision,
    position,
    data: event.data as Record<string, unknown>,
    metadata: event.metadata as RecordedEvent['metadata'],
  };
}
