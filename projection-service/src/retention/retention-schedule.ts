import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DocumentStore, FindQuery } from '@otp/platform/document-store';
import type { Logger } from '@otp/platform/logging';

/** What a read model's pruning looks like from its composition root: one pass, or a schedule of them. */
export interface Retention {
  /** One pass: deletes what the read model no longer keeps; answers how many documents. */
  pruneOnce(): Promise<number>;
  /** A pass now, then one every interval; a failed pass is logged and the next one tries again. */
  start(): void;
  /** Ends the schedule once the pass in hand, if any, is done. */
  stop(): Promise<void>;
}

/** Asked between batches: a stop waits for the pass, so the pass ends at the next batch instead of at its last. */
export type Stopping = () => boolean;

export interface RetentionScheduleOptions {
  /** The log lines' `component`. */
  component: string;
  /** What the log calls a pass: `<label> pass failed`. */
  label: string;
  logger: Logger;
  /** Time between passes. Default one hour. */
  intervalMs?: number;
  prune: (stopping: Stopping) => Promise<number>;
}

/**
 * The schedule every retention shares: a pass at start (a store that grew while the service was
 * down shrinks at once), then hourly, never two at a time, and a stop that ends the pass between
 * two bounded batches.
 */
export function scheduleRetention(options: RetentionScheduleOptions): Retention {
  const { component, label, logger, prune } = options;
  const intervalMs = options.intervalMs ?? 3_600_000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let stopping = false;

  const pruneOnce = () => prune(() => stopping);
  const pass = () => {
    running = pruneOnce()
      .catch((error: unknown) => logger.warn({ component, err: (error as Error).message, retryInMs: intervalMs }, `${label} pass failed`))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(pass, intervalMs).unref();
      });
  };

  return {
    pruneOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      stopping = false;
      pass();
    },
    async stop() {
      stopped = true;
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}

/** Several retentions started and stopped as one, by the one composition root that runs them all. */
export function allOf(...retentions: Retention[]): Retention {
  return {
    pruneOnce: async () => {
      let deleted = 0;
      for (const retention of retentions) deleted += await retention.pruneOnce();
      return deleted;
    },
    start: () => retentions.forEach((retention) => retention.start()),
    stop: async () => {
      await Promise.all(retentions.map((retention) => retention.stop()));
    },
  };
}

export interface BatchedDelete {
  documents: Pick<DocumentStore, 'find' | 'deleteMany'>;
  collection: string;
  /** What to delete, in the order of an index over it, so each batch is a range read of that index. */
  query: Required<Pick<FindQuery, 'where' | 'orderBy'>>;
  batchSize: number;
  stopping: Stopping;
  /** After each batch, with the count so far: the pass's progress. */
  onBatch: (deleted: number) => void;
}

/**
 * Deletes what `query` matches in deletes of `batchSize`, giving the event loop back between
 * them, so a pass never holds the store for long and the projections' batches go on meanwhile.
 */
export async function deleteInBatches(options: BatchedDelete): Promise<number> {
  const { documents, collection, query, batchSize, stopping, onBatch } = options;
  let deleted = 0;
  for (;;) {
    const batch = await documents.find(collection, { ...query, limit: batchSize });
    if (batch.length === 0) return deleted;
    deleted += await documents.deleteMany(
      collection,
      batch.map((doc) => doc._id),
    );
    onBatch(deleted);
    await yieldToLoop();
    if (stopping()) return deleted;
  }
}
