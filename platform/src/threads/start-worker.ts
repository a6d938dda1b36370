import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread from its entry: a bundled `.js` file beside the
 * caller in dist/, or the TypeScript source (tests run from source) through
 * tsx, which a worker does not inherit from its parent.
 */
export function startWorker(entry: URL, options: WorkerOptions): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** The entry named `name` beside `moduleUrl`, as source (`.ts`) when the caller runs from source. */
export function siblingEntry(moduleUrl: string, name: string): URL {
  return new URL(`./${name}.${moduleUrl.endsWith('.ts') ? 'ts' : 'js'}`, moduleUrl);
}
