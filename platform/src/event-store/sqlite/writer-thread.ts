import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
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
const FIRST_RESTART_MS = 100;
const MAX_RESTART_MS = 5_000;

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
  private consecutiveFailures = 0;
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
    const worker = startWorker(writerEntry(), { file: this.options.file, busyTimeoutMs: this.options.busyTimeoutMs });
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
        this.consecutiveFailures = 0;
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
    const delay = Math.min(FIRST_RESTART_MS * 2 ** this.consecutiveFailures, MAX_RESTART_MS);
    this.consecutiveFailures += 1;
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

/**
 * The writer entry beside this module: `sqlite-writer-thread.js` next to the bundle in dist/,
 * or the TypeScript source when running from source (tests), loaded through tsx.
 */
function writerEntry(): URL {
  const fromSource = import.meta.url.endsWith('.ts');
  return new URL(`./sqlite-writer-thread.${fromSource ? 'ts' : 'js'}`, import.meta.url);
}

function startWorker(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
