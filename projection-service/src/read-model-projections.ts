import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import type { BackoffDelays } from '@otp/platform/retry';
import { readModelProjectors } from './projectors/index';
import type { Projector } from './projectors/projector';
import { createProjectionRunner, type ProjectionRunner, type ProjectionStatus } from './runner/index';
import { sharedEventParser } from './runner/shared-event-parser';
import { rebuildBeside, RebuildInProgressError, type RebuildProgress } from './rebuild/index';

export interface ReadModelProjections {
  /** Starts every projection; resolves once each follows the log or has failed (failures are retried, reported in `statuses`). */
  start(): Promise<void>;
  /** Stops every projection, and any rebuild before its swap (its live runner is not started again). */
  stop(): Promise<void>;
  /** True once `projection` has committed `position`, false after `timeoutMs`; rejects when it has failed. */
  waitForPosition(projection: string, position: bigint, timeoutMs: number): Promise<boolean>;
  statuses(): ProjectionStatus[];
  /** Throws unless every projection is started and not failed, naming those that are not: for readiness checks. */
  assertRunning(): void;
  readonly runners: ReadonlyMap<string, ProjectionRunner>;
  /**
   * Rebuilds one projection beside its live collections and swaps it in, its live runner paused
   * only for the swap (`./rebuild`); a second rebuild of it meanwhile is a `RebuildInProgressError`.
   */
  rebuild(projection: string, onProgress?: (progress: RebuildProgress) => void): Promise<RebuildProgress>;
}

/**
 * The read models the query service serves, each projection with its own checkpoint and
 * version, its own subscription and its own transaction per batch. A projection added to the
 * list starts from the first event while the others keep their positions, a version raised
 * rebuilds that projection alone, and one that stops at an event it cannot read leaves the
 * others running. The price was reading the log once per projection: the SQLite store shares
 * complete pages between its subscriptions, and each stored event is parsed once for all of
 * them (docs/decisions.md, "Each projection owns its checkpoint and version").
 */
export function createReadModelProjections(deps: {
  eventStore: Pick<EventStore, 'subscribeToAll' | 'readAt'>;
  documents: DocumentStore;
  logger: Logger;
  /** Default: the customers, usage and audit projectors. */
  projectors?: readonly Projector[];
  maxBatchEvents?: number;
  progressIntervalMs?: number;
  retryDelay?: BackoffDelays;
  /** Called with a projection's status after each of its commits and state changes. */
  onChange?: (status: ProjectionStatus) => void;
}): ReadModelProjections {
  const logger = deps.logger.child({ component: 'projections' });
  const projectors = deps.projectors ?? readModelProjectors;
  assertDisjointCollections(projectors);
  const runners = new Map<string, ProjectionRunner>();
  const byName = new Map(projectors.map((projector) => [projector.name, projector]));
  // Each running rebuild, to abort and wait for on stop: a stopped group must not swap nor start a runner again.
  const rebuilding = new Map<string, { abort: AbortController; done: Promise<unknown> }>();
  const parse = sharedEventParser();
  for (const projector of projectors) {
    const onChange = deps.onChange;
    const runner: ProjectionRunner = createProjectionRunner({
      projector,
      eventStore: deps.eventStore,
      documents: deps.documents,
      logger,
      parse,
      ...(deps.maxBatchEvents !== undefined ? { maxBatchEvents: deps.maxBatchEvents } : {}),
      ...(deps.progressIntervalMs !== undefined ? { progressIntervalMs: deps.progressIntervalMs } : {}),
      ...(deps.retryDelay ? { retryDelay: deps.retryDelay } : {}),
      ...(onChange ? { onChange: () => onChange(runner.status()) } : {}),
    });
    runners.set(projector.name, runner);
  }
  const all = [...runners.values()];
  const runner = (name: string): ProjectionRunner => {
    const found = runners.get(name);
    if (!found) throw new Error(`no projection ${name}`);
    return found;
  };

  return {
    runners,
    async start() {
      await Promise.allSettled(all.map((each) => each.start()));
    },
    async stop() {
      const rebuilds = [...rebuilding.values()];
      for (const each of rebuilds) each.abort.abort(new Error('the projections stopped before the rebuild was swapped in'));
      await Promise.allSettled(rebuilds.map((each) => each.done));
      await Promise.all(all.map((each) => each.stop()));
    },
    waitForPosition: (projection, position, timeoutMs) => runner(projection).waitForPosition(position, timeoutMs),
    statuses: () => all.map((each) => each.status()),
    rebuild(projection, onProgress) {
      const projector = byName.get(projection);
      if (!projector) return Promise.reject(new Error(`no projection ${projection}`));
      // Two rebuilds of one projection would fill the same collections beside it.
      if (rebuilding.has(projection))
        return Promise.reject(new RebuildInProgressError(`projection ${projection} is already being rebuilt`));
      const abort = new AbortController();
      const done = rebuildBeside({
        projector,
        eventStore: deps.eventStore,
        documents: deps.documents,
        logger,
        live: runner(projection),
        parse,
        signal: abort.signal,
        ...(onProgress ? { onProgress } : {}),
      }).finally(() => rebuilding.delete(projection));
      rebuilding.set(projection, { abort, done });
      return done;
    },
    assertRunning() {
      const failing = all.flatMap((each) => {
        try {
          each.assertRunning();
          return [];
        } catch (error) {
          return [(error as Error).message];
        }
      });
      if (failing.length > 0) throw new Error(failing.join('; '));
    },
  };
}

/** A rebuild of one projection drops its collections: a collection shared with another would lose that one's documents. */
function assertDisjointCollections(projectors: readonly Projector[]): void {
  const collections = projectors.flatMap((projector) => projector.collections);
  if (new Set(collections).size !== collections.length) throw new Error('two projections write the same collection');
  const names = projectors.map((projector) => projector.name);
  if (new Set(names).size !== names.length) throw new Error('two projections share a checkpoint name');
}
