import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { PositionWaiters, READ_MODELS_PROJECTION, type ProjectionStatus } from '@otp/projection-service';
import type { Logger } from '@otp/platform/logging';
import type { FromProjectionThread, ToProjectionThread } from './projection-thread-messages';

const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts the projection worker and mirrors its status on the main thread,
 * where the query routes wait for positions and /health and /metrics read it.
 */
export async function startProjectionThread(options: { workerFile: URL; dataDir: string; logLevel: string; logger: Logger }) {
  const worker = new Worker(options.workerFile, {
    workerData: { dataDir: options.dataDir, logLevel: options.logLevel, pollIntervalMs: 5 },
  });
  const waiters = new PositionWaiters();
  let status: ProjectionStatus = { name: READ_MODELS_PROJECTION, state: 'starting', position: undefined, lastEventAt: undefined, lagMs: undefined, eventsProjected: 0, error: undefined };
  let stopping = false;

  const fail = (error: Error) => {
    status = { ...status, state: 'failed', error };
    waiters.failAll(error);
  };
  // Resolves when the projections follow the log or have failed: a broken read model must not
  // keep logins from working, so a failure is reported (/health/ready says degraded, /metrics,
  // the query routes) instead.
  const settled = new Promise<void>((resolve) => {
    worker.on('message', (message: FromProjectionThread) => {
      switch (message.type) {
        case 'started':
        case 'status':
          status = message.status;
          if (status.position !== undefined) waiters.reached(status.position);
          if (status.state === 'failed' && status.error) waiters.failAll(status.error);
          if (message.type === 'started') resolve();
          return;
        case 'failed':
          options.logger.error({ reason: message.message }, 'projections failed to start; serving writes without read models');
          fail(new Error(message.message));
          resolve();
          return;
        case 'stopped':
          return;
        default: {
          const unknown: never = message;
          options.logger.warn({ message: unknown }, 'unexpected message from the projection thread');
        }
      }
    });
    worker.on('error', (error) => {
      options.logger.error({ err: error }, 'projection thread crashed');
      fail(error);
      resolve();
    });
    worker.on('exit', (code) => {
      if (!stopping) fail(new Error(`projection thread exited with code ${code}`));
    });
  });
  await settled;

  return {
    status: () => status,
    assertRunning(): void {
      if (status.state === 'failed') throw status.error ?? new Error('projections failed');
      if (status.state !== 'live' && status.state !== 'catching-up') throw new Error(`projections are ${status.state}`);
    },
    waitForPosition(position: bigint, timeoutMs: number): Promise<boolean> {
      if (status.position !== undefined && status.position >= position) return Promise.resolve(true);
      if (status.state === 'failed') return Promise.reject(status.error ?? new Error('projections failed'));
      return waiters.wait(position, timeoutMs);
    },
    async stop(): Promise<void> {
      if (stopping) return;
      stopping = true;
      const exited = once(worker, 'exit');
      worker.postMessage({ type: 'stop' } satisfies ToProjectionThread);
      const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
