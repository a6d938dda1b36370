import type { DocumentStore } from '@otp/platform/document-store';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';
import type { Logger } from '@otp/platform/logging';
import type { ProjectedEvent } from '../projected-event';
import type { Projector } from '../projectors/projector';
import { createProjectionRunner, type ProjectionRunner } from '../runner/index';
import { besideDocuments, besideName } from './beside-documents';

export interface RebuildProgress {
  projection: string;
  /** 'building': projecting the log beside the live collections; 'swapping': putting them in place; 'done'. */
  phase: 'building' | 'swapping' | 'done';
  /** Last position the rebuilt collections hold. */
  position: bigint | undefined;
  eventsProjected: number;
  elapsedMs: number;
}

export interface RebuildBesideOptions {
  projector: Projector;
  eventStore: Pick<EventStore, 'subscribeToAll' | 'readAt'>;
  documents: DocumentStore;
  logger: Logger;
  /** The runner serving the live collections, if one runs in this process: paused for the swap only. */
  live?: ProjectionRunner;
  parse?: (recorded: RecordedEvent) => ProjectedEvent;
  onProgress?: (progress: RebuildProgress) => void;
  /**
   * Aborted when the service stops the projections (a lease lost, a shutdown): the rebuild stops
   * before the swap and leaves the live runner stopped, for whoever holds the read models now.
   */
  signal?: AbortSignal;
  /** Default 1 s. */
  progressIntervalMs?: number;
  now?: () => number;
}

/**
 * Rebuilds one projection beside the live one and swaps it in while the service serves: a second
 * runner of the same projector projects the whole log into collections of their own (the live
 * ones answer every query meanwhile), follows the log until it is live, then the live runner
 * pauses (its batch in hand committed), the rebuilt collections reach its position, and
 * `replaceCollections` puts them and their checkpoint in place. The live runner resumes from the
 * rebuilt checkpoint. Queries see the old collections, then the new ones; never a half-built one.
 */
export async function rebuildBeside(options: RebuildBesideOptions): Promise<RebuildProgress> {
  const { projector, documents, live, logger, signal } = options;
  const now = options.now ?? Date.now;
  const startedAt = now();
  const beside = besideDocuments(documents);
  // A rebuild interrupted before (a crash, a stop) left collections of its own: start clean.
  await beside.reset([...projector.collections], projector.name);
  const runner = createProjectionRunner({
    projector,
    eventStore: options.eventStore,
    documents: beside,
    logger: logger.child({ rebuild: projector.name }),
    ...(options.parse ? { parse: options.parse } : {}),
    progressIntervalMs: options.progressIntervalMs ?? 1_000,
  });
  const progress = (phase: RebuildProgress['phase']): RebuildProgress => {
    const status = runner.status();
    return {
      projection: projector.name,
      phase,
      position: status.position,
      eventsProjected: status.eventsProjected,
      elapsedMs: now() - startedAt,
    };
  };
  const report = (phase: RebuildProgress['phase']) => options.onProgress?.(progress(phase));
  const timer = setInterval(() => report('building'), options.progressIntervalMs ?? 1_000);
  let livePaused = false;
  try {
    await runner.start();
    await until(() => {
      signal?.throwIfAborted();
      const { state, error } = runner.status();
      if (state === 'failed') throw error ?? new Error(`rebuild of ${projector.name} failed`);
      return state === 'live';
    });
    clearInterval(timer);
    report('swapping');
    if (live) {
      await live.stop();
      livePaused = true;
    }
    // What the live collections hold now (their writer paused): the rebuilt ones must hold at least that.
    const liveAt = (await documents.getCheckpoint(projector.name))?.position;
    if (liveAt !== undefined && !(await runner.waitForPosition(liveAt, 60_000))) {
      throw new Error(`rebuild of ${projector.name} did not reach the live position ${liveAt}`);
    }
    await runner.stop();
    // The last moment to give up: past it the live collections are being replaced.
    signal?.throwIfAborted();
    await documents.replaceCollections(
      projector.collections.map((collection) => ({ from: besideName(collection), to: collection })),
      { from: besideName(projector.name), to: projector.name },
    );
    const done = progress('done');
    logger.info(
      { projection: projector.name, position: done.position?.toString(), events: done.eventsProjected, ms: done.elapsedMs },
      'projection rebuilt beside the live one and swapped in',
    );
    options.onProgress?.(done);
    return done;
  } finally {
    clearInterval(timer);
    await runner.stop();
    if (livePaused && !signal?.aborted) await live?.start();
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
