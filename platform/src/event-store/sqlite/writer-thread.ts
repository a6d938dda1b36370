import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { AppendResult } from '../port';
import type { PendingAppend } from './batch-writer';
import type { Settled } from './group-commit';
import { fromWire, settledFromWire, type FromWriter, type ToWriter } from './writer-protocol';

interface Pending {
  resolve: (results: Settled<AppendResult>[]) => void;
  reject: (error: unknown) => void;
}

/**
 * The store's side of its writer thread: sends batches, matches the answers.
 * If the thread dies, every commit under way and every later one fails with
 * the reason; nothing is retried here, since the outcome of a batch that was
 * under way is unknown (callers' idempotent event ids make their retry safe).
 */
export class WriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private closing = false;

  constructor(file: string, busyTimeoutMs: number) {
    this.worker = startWorker(writerEntry(), { file, busyTimeoutMs });
    this.worker.on('message', (message: FromWriter) => this.receive(message));
    this.worker.on('error', (error) => this.fail(new Error(`event store writer thread failed: ${error.message}`)));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`event store writer thread exited (code ${code})`));
    });
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
      this.post({ type: 'commit', id, batch });
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.failure) {
      await this.worker.terminate();
      return;
    }
    const exited = once(this.worker, 'exit');
    this.post({ type: 'close' });
    await exited;
  }

  private post(message: ToWriter): void {
    this.worker.postMessage(message);
  }

  private receive(message: FromWriter): void {
    switch (message.type) {
      case 'closed':
        return;
      case 'committed':
        this.take(message.id)?.resolve(message.results.map(settledFromWire));
        return;
      case 'failed':
        this.take(message.id)?.reject(fromWire(message.error));
        return;
      default: {
        const unknown: never = message;
        this.fail(new Error(`event store writer thread: unexpected message ${JSON.stringify(unknown)}`));
      }
    }
  }

  private take(id: number): Pending | undefined {
    const entry = this.pending.get(id);
    this.pending.delete(id);
    return entry;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const entry of this.pending.values()) entry.reject(this.failure);
    this.pending.clear();
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
