import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { PositionWaiters, RebuildInProgressError, type ProjectionStatus, type RebuildProgress } from '@otp/projection-service';
import type { Logger } from '@otp/platform/logging';
import { Backoff } from '@otp/platform/retry';
import { startWorker } from '@otp/platform/threads';
import type { FromProjectionThread, ToProjectionThread } from './projection-thread-messages';

const STOP_TIMEOUT_MS = 10_000;
/** How soon commits made by another process are projected; this process's own are at once. */
const FOREIGN_COMMIT_POLL_MS = 1_000;
/** Restart delays after consecutive deaths; a thread that reaches live resets them. */
const RESTART_DELAYS = { initialMs: 500, maxMs: 30_000 };

export interface ProjectionThreadOptions {
  workerFile: URL;
  dataDir: string;
  logLevel: string;
  logger: Logger;
  /** AUDIT_RETENTION_DAYS: the worker prunes older audit entries (projection-service/src/retention). Default 90. */
  auditRetentionDays?: number;
  /** CHALLENGE_RETENTION_MARGIN_MINUTES: the worker prunes open challenges that long past their expiry. Default 60. */
  challengeRetentionMarginMinutes?: number;
}

/**
 * Starts the projection worker and resolves once it follows the log or has failed. A broken
 * read model must not keep logins from working, so a failure is reported (/health/ready says
 * degraded, /metrics, the query routes) instead of thrown.
 */
export async function startProjectionThread(options: ProjectionThreadOptions): Promise<ProjectionThread> {
  const thread = new ProjectionThread(options);
  await thread.settled;
  return thread;
}

/**
 * The projection worker as the main thread sees it: the status of each of its projections
 * mirrored here, where the query routes wait for a projection's position and /health and
 * /metrics read them.
 *
 * Two kinds of failure, handled apart. The projections stopping at an event they cannot read is
 * reported by the worker and stays until an operator acts: starting over would stop at the same
 * event. The thread itself dying (out of memory, a native fault) is not about the log, so a new
 * thread resumes from the checkpoint after a delay that doubles while deaths follow each other.
 */
export class ProjectionThread {
  private worker: Worker;
  private readonly latest = new Map<string, ProjectionStatus>(READ_MODEL_PROJECTIONS.map((name) => [name, startingStatus(name)]));
  private readonly waiters = new Map<string, PositionWaiters>(READ_MODEL_PROJECTIONS.map((name) => [name, new PositionWaiters()]));
  private readonly restarts = new Backoff(RESTART_DELAYS);
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private exited = false;
  private markSettled!: () => void;
  private nextRebuildId = 1;
  private readonly rebuilds = new Map<
    number,
    {
      projection: string;
      onProgress: (progress: RebuildProgress) => void;
      resolve: (result: RebuildProgress) => void;
      reject: (error: Error) => void;
    }
  >();
  /** Resolves once the first thread follows the log or has failed. */
  readonly settled = new Promise<void>((resolve) => {
    this.markSettled = resolve;
  });

  constructor(private readonly options: ProjectionThreadOptions) {
    this.worker = this.start();
  }

  statuses(): ProjectionStatus[] {
    return [...this.latest.values()];
  }

  /** Throws unless every projection follows the log, naming each that does not. */
  assertRunning(): void {
    const failing = this.statuses().flatMap((status) => {
      if (status.state === 'live' || status.state === 'catching-up') return [];
      const reason = status.state === 'failed' ? (status.error?.message ?? 'failed') : status.state;
      return [`projection ${status.name}: ${reason}`];
    });
    if (failing.length > 0) throw new Error(failing.join('; '));
  }

  /** True once `projection` has committed `position`, false after `timeoutMs`; rejects while it has failed. */
  waitForPosition(projection: string, position: bigint, timeoutMs: number): Promise<boolean> {
    const status = this.latest.get(projection);
    const waiters = this.waiters.get(projection);
    if (!status || !waiters) return Promise.reject(new Error(`no projection ${projection}`));
    if (status.position !== undefined && status.position >= position) return Promise.resolve(true);
    if (status.state === 'failed') return Promise.reject(status.error ?? new Error(`projection ${projection} failed`));
    return waiters.wait(position, timeoutMs);
  }

  /** Rebuilds one projection on the projection thread, beside the live one, and swaps it in (`rebuildBeside`). */
  rebuild(projection: string, onProgress: (progress: RebuildProgress) => void = () => {}): Promise<RebuildProgress> {
    if (this.exited || this.stopping) return Promise.reject(new Error('the projection thread is not running'));
    if ([...this.rebuilds.values()].some((rebuild) => rebuild.projection === projection)) {
      return Promise.reject(new RebuildInProgressError(`projection ${projection} is already being rebuilt`));
    }
    const id = this.nextRebuildId++;
    return new Promise((resolve, reject) => {
      this.rebuilds.set(id, { projection, onProgress, resolve, reject });
      this.worker.postMessage({ type: 'rebuild', id, projection } satisfies ToProjectionThread);
    });
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.restartTimer);
    if (this.exited) return;
    const exited = once(this.worker, 'exit');
    this.worker.postMessage({ type: 'stop' } satisfies ToProjectionThread);
    const timer = setTimeout(() => void this.worker.terminate(), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private start(): Worker {
    const { workerFile, dataDir, logLevel, auditRetentionDays = 90, challengeRetentionMarginMinutes = 60 } = this.options;
    // The server's writer thread announces each commit, which wakes the projections at once; the
    // poll is only for writers in other processes on the same file (a tool, a second server).
    const worker = startWorker(workerFile, {
      workerData: { dataDir, logLevel, pollIntervalMs: FOREIGN_COMMIT_POLL_MS, auditRetentionDays, challengeRetentionMarginMinutes },
    });
    this.exited = false;
    // A dead thread's late events must not touch its successor's state.
    const current = () => worker === this.worker;
    worker.on('message', (message: FromProjectionThread) => {
      if (current()) this.receive(message);
    });
    worker.on('error', (error) => {
      if (current()) this.died(new Error(`projection thread crashed: ${error.message}`));
    });
    worker.on('exit', (code) => {
      if (!current()) return;
      this.exited = true;
      if (!this.stopping) this.died(new Error(`projection thread exited with code ${code}`));
    });
    return worker;
  }

  private receive(message: FromProjectionThread): void {
    switch (message.type) {
      case 'started':
        for (const status of message.statuses) this.mirror(status);
        this.markSettled();
        return;
      case 'status':
        this.mirror(message.status);
        return;
      case 'rebuild-progress':
        this.rebuilds.get(message.id)?.onProgress(message.progress);
        return;
      case 'rebuild-done':
        this.rebuilds.get(message.id)?.resolve(message.result);
        this.rebuilds.delete(message.id);
        return;
      case 'rebuild-failed':
        this.rebuilds.get(message.id)?.reject(new Error(message.error));
        this.rebuilds.delete(message.id);
        return;
      case 'stopped':
        return;
      default: {
        const unknown: never = message;
        this.options.logger.warn({ message: unknown }, 'unexpected message from the projection thread');
      }
    }
  }

  private mirror(status: ProjectionStatus): void {
    const waiters = this.waiters.get(status.name);
    if (!waiters) return;
    this.latest.set(status.name, status);
    if (status.state === 'live') this.restarts.reset();
    if (status.position !== undefined) waiters.reached(status.position);
    if (status.state === 'failed' && status.error) waiters.failAll(status.error);
  }

  /** The thread is gone: every projection it ran has stopped with it. */
  private fail(error: Error): void {
    for (const [name, status] of this.latest) this.latest.set(name, { ...status, state: 'failed', error });
    for (const waiters of this.waiters.values()) waiters.failAll(error);
    // A rebuild dies with its thread; the rebuilt collections beside the live ones are dropped by the next one.
    for (const rebuild of this.rebuilds.values()) rebuild.reject(error);
    this.rebuilds.clear();
    this.markSettled();
  }

  /** Once per thread ('error' is followed by 'exit'); schedules the next one. */
  private died(error: Error): void {
    if (this.restartTimer !== undefined || this.stopping) return;
    this.fail(error);
    void this.worker.terminate();
    const delay = this.restarts.next();
    this.options.logger.error({ err: error.message, restartInMs: delay }, 'projection thread died; starting a new one');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopping) this.worker = this.start();
    }, delay);
    this.restartTimer.unref();
  }
}

function startingStatus(name: string): ProjectionStatus {
  return { name, state: 'starting', position: undefined, lastEventAt: undefined, lagMs: undefined, eventsProjected: 0, error: undefined };
}
