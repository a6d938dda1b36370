import type { Checkpoint, DocumentStore } from '@otp/platform/document-store';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import { Backoff, type BackoffDelays } from '@otp/platform/retry';
import { inBatches } from './in-batches';
import { PositionWaiters } from './position-waiters';
import { resumePoint } from './resume-point';

export type FollowerState = 'stopped' | 'starting' | 'catching-up' | 'live' | 'failed';

export interface FollowerStatus {
  name: string;
  state: FollowerState;
  /** Last position committed with the checkpoint; undefined before the first commit. */
  position: bigint | undefined;
  /** occurredAt of the last committed event. */
  lastEventAt: string | undefined;
  /** 0 when live; while catching up, the age of the last committed event; undefined when unknown. */
  lagMs: number | undefined;
  /** Events committed since the last start. */
  events: number;
  error: Error | undefined;
  /** Set while a failure waits for its retry. */
  retryInMs: number | undefined;
}

/** What a batch's handler committed: through which event, and what stopped it before the end. */
export interface Handled {
  /** The last event whose effects were committed with its checkpoint; undefined when none were. */
  through: RecordedEvent | undefined;
  /** Why the events after `through` were not handled. */
  failure?: Error;
}

/** What one user of the follower does with the log: a projection, the relay, the webhook dispatcher. */
export interface FollowerUser {
  /**
   * Runs at every start, before the first batch: declares indexes, creates a topic. With
   * `fromFirstEvent` (no checkpoint, another history, another version) it also clears what the
   * user derived from the log before, so nothing is counted twice.
   */
  prepare(fromFirstEvent: boolean): Promise<void>;
  /**
   * Handles the batch (new events only, in commit order) and commits what it did with
   * `checkpointAt(through)`. At least once: a batch whose commit failed is handed over again.
   */
  handle(events: RecordedEvent[], checkpointAt: (event: RecordedEvent) => Checkpoint): Promise<Handled>;
  /** Failures a retry cannot mend (an event the user cannot read): the follower then stays stopped. */
  isPermanent?(error: Error): boolean;
}

export interface FollowerOptions {
  /** Names the checkpoint. One follower per name at a time: two would both handle the same events. */
  name: string;
  /** Stored with the checkpoint; a checkpoint of another version starts this follower over. */
  version: number;
  /** What it is, for its log lines: `projection starting`, `relay failed; ...`. */
  kind: string;
  /** What starting from the first event means for this user, for the log line. */
  startingOver: string;
  /** `readAt` checks at start that the checkpoint belongs to this log. */
  eventStore: Pick<EventStore, 'subscribeToAll' | 'readAt'>;
  documents: Pick<DocumentStore, 'getCheckpoint'>;
  logger: Logger;
  user: FollowerUser;
  /** Most events handed to one `handle`. */
  maxBatchEvents: number;
  /** Delays before resuming after a failure: doubling from `initialMs` to `maxMs`. Default 1 s to 30 s. */
  retryDelay?: BackoffDelays;
  /** How long `stop` waits for the batch in hand; default until it is done. */
  stopTimeoutMs?: number;
  /** How often progress is logged while catching up. Default 5 s. */
  progressIntervalMs?: number;
  now?: () => number;
  /** Called after every commit and state change, e.g. to report status from a worker thread. */
  onChange?: () => void;
}

/**
 * Follows the event log from a stored checkpoint for one user: the resume point with its hash
 * and version check, the subscription read in batches, redelivered positions dropped, the
 * checkpoint's progress, waiters for a position, progress logs, and retries with backoff.
 *
 * A failure that is not about the log (the event store failing over, a full disk, a broker
 * away) is logged and the follower resumes from its checkpoint after a delay that doubles while
 * failures follow each other without a committed batch; only a commit proves the way through
 * works again. A permanent failure stops it where it is, since starting over would stop at the
 * same event.
 */
export class LogFollower {
  readonly name: string;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly onChange: () => void;
  private readonly retries: Backoff;
  private readonly waiters = new PositionWaiters();

  private state: FollowerState = 'stopped';
  private error: Error | undefined;
  private committed: bigint | undefined;
  /** Highest position handed to the user; guards against a redelivered event inside one batch too. */
  private seen: bigint | undefined;
  private lastEventAt: string | undefined;
  private events = 0;
  private catchUpStartedAt = 0;
  private lastProgressLogAt = 0;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  /** Between start() and stop(): a failure that is not permanent is then retried. */
  private wanted = false;
  /** Set by `startOver`: the next start ignores the checkpoint. */
  private forgetCheckpoint = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryInMs: number | undefined;

  constructor(private readonly options: FollowerOptions) {
    this.name = options.name;
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.onChange = options.onChange ?? (() => undefined);
    this.retries = new Backoff(options.retryDelay ?? { initialMs: 1_000, maxMs: 30_000 });
  }

  /** Resolves once following; rejects when the start failed (it is then retried unless permanent). */
  start(): Promise<void> {
    this.wanted = true;
    this.starting ??= this.begin().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Stops following after the batch in hand is committed (or after `stopTimeoutMs`). */
  async stop(): Promise<void> {
    this.wanted = false;
    this.cancelRetry();
    await this.starting?.catch(() => undefined);
    await this.halt();
  }

  /** Stops, then starts again from the first event, as if there were no checkpoint. */
  async startOver(): Promise<void> {
    await this.stop();
    this.forgetCheckpoint = true;
    await this.start();
  }

  /** True once `position` is committed, false after `timeoutMs`; rejects when the follower has failed. */
  waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.committed !== undefined && this.committed >= position) return Promise.resolve(true);
    if (this.state === 'failed' && this.error) return Promise.reject(this.error);
    return this.waiters.wait(position, timeoutMs);
  }

  status(): FollowerStatus {
    const lagMs =
      this.state === 'live' ? 0 : this.lastEventAt === undefined ? undefined : Math.max(0, this.now() - Date.parse(this.lastEventAt));
    return {
      name: this.name,
      state: this.state,
      position: this.committed,
      lastEventAt: this.lastEventAt,
      lagMs,
      events: this.events,
      error: this.error,
      retryInMs: this.retryInMs,
    };
  }

  private async begin(): Promise<void> {
    if (this.loop) {
      if (this.state === 'catching-up' || this.state === 'live') return;
      // Restarting after a failure or an ended subscription: resume from the checkpoint.
      await this.halt();
    }
    const { kind, name, user } = this.options;
    this.state = 'starting';
    this.error = undefined;
    this.retryInMs = undefined;
    let from: bigint | undefined;
    try {
      const resume = this.forgetCheckpoint
        ? { position: undefined, startingOver: 'asked to start over' }
        : await resumePoint({ ...this.options, logger: this.logger });
      from = resume.position;
      await user.prepare(from === undefined);
      this.forgetCheckpoint = false;
      if (from === undefined) this.lastEventAt = undefined;
      this.logger.info({ projection: name, from: from?.toString() ?? 'the first event', reason: resume.startingOver }, `${kind} starting`);
    } catch (error) {
      this.fail(error);
      throw error;
    }
    this.committed = from;
    this.seen = from;
    this.events = 0;
    this.catchUpStartedAt = this.now();
    this.lastProgressLogAt = this.catchUpStartedAt;

    const abort = new AbortController();
    this.abort = abort;
    this.state = 'catching-up';
    this.onChange();
    this.loop = this.follow(from, abort.signal).then(
      () => {
        if (abort.signal.aborted) this.state = 'stopped';
        else this.fail(new Error('the event store subscription ended'));
      },
      (error: unknown) => {
        // Releases the subscription's pending read instead of leaving it parked until the next event.
        abort.abort();
        this.fail(error);
      },
    );
  }

  private async halt(): Promise<void> {
    this.abort?.abort();
    const loop = this.loop;
    if (loop) {
      const { stopTimeoutMs } = this.options;
      if (stopTimeoutMs === undefined) await loop;
      else if ((await raceTimeout(loop, stopTimeoutMs)) === 'timeout') {
        // Its commit will fail on a closed store; the batch is handled again at the next start.
        this.logger.warn(
          { projection: this.name, timeoutMs: stopTimeoutMs },
          `${this.options.kind} stop did not wait for the batch in flight`,
        );
      }
    }
    this.abort = undefined;
    this.loop = undefined;
    if (this.state !== 'failed') this.state = 'stopped';
    this.onChange();
  }

  private async follow(after: bigint | undefined, signal: AbortSignal): Promise<void> {
    const events = this.options.eventStore.subscribeToAll({ after, signal });
    for await (const batch of inBatches(events, this.options.maxBatchEvents)) {
      if (batch.items.length > 0) await this.handle(batch.items);
      if (signal.aborted) return;
      this.track(batch.drained);
    }
  }

  private async handle(items: RecordedEvent[]): Promise<void> {
    // At-least-once delivery: what is at or below the highest position taken was handled
    // already, also when it comes again within the same batch.
    const fresh: RecordedEvent[] = [];
    for (const event of items) {
      if (this.seen !== undefined && event.position <= this.seen) continue;
      fresh.push(event);
      this.seen = event.position;
    }
    if (fresh.length === 0) return;
    const { name, version } = this.options;
    const { through, failure } = await this.options.user.handle(fresh, (event) => ({
      name,
      version,
      position: event.position,
      hash: event.metadata.hash,
    }));
    if (through) {
      this.retries.reset();
      this.committed = through.position;
      const occurredAt = through.metadata['occurredAt'];
      this.lastEventAt = typeof occurredAt === 'string' ? occurredAt : this.lastEventAt;
      this.events += fresh.indexOf(through) + 1;
      this.waiters.reached(through.position);
      this.onChange();
    }
    if (failure) throw failure;
  }

  private track(drained: boolean): void {
    const now = this.now();
    const { kind, progressIntervalMs = 5_000 } = this.options;
    if (drained) {
      if (this.state === 'catching-up' && this.events > 0) {
        this.logger.info(
          { projection: this.name, position: this.committed?.toString(), events: this.events, ms: now - this.catchUpStartedAt },
          `${kind} caught up`,
        );
      }
      if (this.state !== 'live') {
        this.state = 'live';
        this.onChange();
      }
      return;
    }
    if (this.state === 'live') {
      this.state = 'catching-up';
      this.catchUpStartedAt = now;
      this.lastProgressLogAt = now;
    }
    if (now - this.lastProgressLogAt >= progressIntervalMs) {
      this.lastProgressLogAt = now;
      const seconds = Math.max(1, now - this.catchUpStartedAt) / 1000;
      this.logger.info(
        {
          projection: this.name,
          position: this.committed?.toString(),
          events: this.events,
          eventsPerSecond: Math.round(this.events / seconds),
          lagMs: this.status().lagMs,
        },
        `${kind} catching up`,
      );
    }
  }

  private fail(cause: unknown): void {
    const error = cause instanceof Error ? cause : new Error(String(cause));
    this.state = 'failed';
    this.error = error;
    const permanent = this.options.user.isPermanent?.(error) ?? false;
    const retryInMs = permanent ? undefined : this.scheduleRetry();
    const fields = { err: error, projection: this.name, position: this.committed?.toString() };
    if (permanent) this.logger.error(fields, `${this.options.kind} stopped`);
    else {
      this.logger.error(
        { ...fields, failures: this.retries.consecutiveFailures, retryInMs },
        `${this.options.kind} failed; resuming from its checkpoint`,
      );
    }
    this.waiters.failAll(error);
    this.onChange();
  }

  private scheduleRetry(): number | undefined {
    if (!this.wanted || this.retryTimer) return undefined;
    const delay = this.retries.next();
    this.retryInMs = delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.wanted) this.start().catch(() => undefined);
    }, delay);
    // A pending retry must not keep an otherwise finished process alive.
    this.retryTimer.unref();
    return delay;
  }

  private cancelRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.retryInMs = undefined;
  }
}

async function raceTimeout(work: Promise<void>, timeoutMs: number): Promise<'done' | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(resolve, timeoutMs, 'timeout');
  });
  const outcome = await Promise.race([work.then(() => 'done' as const), gaveUp]);
  clearTimeout(timer);
  return outcome;
}
