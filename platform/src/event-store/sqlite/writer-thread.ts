import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';
import { Backoff } from '../../retry/index';
import { siblingEntry, startWorker } from '../../threads/index';
import { EventStoreUnavailableError, type AppendResult } from '../port';
import type { PendingAppend } from './batch-writer';
import type { Settled } from './group-commit';
import { fromWire, settledFromWire, type FromWriter, type ToWriter } from './writer-protocol';

interface Pending {
  resolve: (results: Settled<AppendResult>[]) => void;
  reject: (error: unknown) => void;
}

export interface WriterThreadOptions {
  file: string;
  busyTimeoutMs: number;
  /** Told when the thread died and when it will be started again; the store's owner logs it. */
  onFailure?: (error: Error, restartInMs: number) => void;
}

/** Restart delays after consecutive deaths: quick for a one-off crash, slow for a crash loop. */
const RESTART_DELAYS = { initialMs: 100, maxMs: 5_000 };

/**
 * The store's side of its writer thread: sends batches, matches the answers.
 * If the thread dies, every commit under way and every commit until it is back
 * fails with the reason; nothing is retried here, since the outcome of a batch
 * that was under way is unknown (callers' idempotent event ids make their
 * retry safe). A new thread is started after a delay that doubles while the
 * deaths go on, so a crash costs the requests of a moment, not the process.
 */
export class WriterThread {
  private worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private readonly restarts = new Backoff(RESTART_DELAYS);
  private restartTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly options: WriterThreadOptions) {
    this.worker = this.start();
  }

  /** Why the thread cannot take commits, if it cannot. */
  get unavailable(): Error | undefined {
    return this.failure;
  }

  commit(batch: PendingAppend[]): Promise<Settled<AppendResult>[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ type: 'commit', id, batch } satisfies ToWriter);
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.restartTimer);
    if (this.failure) {
      await this.worker.terminate();
      return;
    }
    const exited = once(this.worker, 'exit');
    this.worker.postMessage({ type: 'close' } satisfies ToWriter);
    await exited;
  }

  private start(): Worker {
    // Beside this module: dist/sqlite-writer-thread.js in the bundle, the .ts source in tests.
    const entry = siblingEntry(import.meta.url, 'sqlite-writer-thread');
    const worker = startWorker(entry, { workerData: { file: this.options.file, busyTimeoutMs: this.options.busyTimeoutMs } });
    // A dead thread's late events must not touch its successor's state.
    const current = () => worker === this.worker;
    worker.on('message', (message: FromWriter) => {
      if (current()) this.receive(message);
    });
    worker.on('error', (error) => {
      if (current()) this.died(new EventStoreUnavailableError(`event store writer thread failed: ${error.message}`));
    });
    worker.on('exit', (code) => {
      if (current() && !this.closing) this.died(new EventStoreUnavailableError(`event store writer thread exited (code ${code})`));
    });
    return worker;
  }

  private receive(message: FromWriter): void {
    switch (message.type) {
      case 'closed':
        return;
      case 'committed':
        this.restarts.reset();
        this.take(message.id)?.resolve(message.results.map(settledFromWire));
        return;
      case 'failed':
        this.take(message.id)?.reject(fromWire(message.error));
        return;
      default: {
        const unknown: never = message;
        this.died(new EventStoreUnavailableError(`event store writer thread: unexpected message ${JSON.stringify(unknown)}`));
      }
    }
  }

  private take(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    return entry;
  }

  /** Fails what is under way, once per thread, and schedules the next thread. */
  private died(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
    void this.worker.terminate();
    if (this.closing) return;
    const delay = this.restarts.next();
    this.options.onFailure?.(error, delay);
    this.restartTimer = setTimeout(() => {
      if (this.closing) return;
      this.failure = undefined;
      this.worker = this.start();
    }, delay);
    // A pending restart must not keep an otherwise finished process alive.
    this.restartTimer.unref();
  }
}
