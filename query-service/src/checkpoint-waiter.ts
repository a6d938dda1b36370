import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadModelProjection } from '@otp/contracts';
import type { DocumentStore } from '@otp/platform/document-store';

/**
 * Read-your-writes when the projections run in another process: the wait
 * polls the checkpoint the projection commits with its read model. Concurrent
 * waiters on one projection share each read, so a burst of requests costs one
 * query per projection per interval, not one per request.
 */
export function createCheckpointWaiter(
  documents: Pick<DocumentStore, 'getCheckpoint'>,
  options: { intervalMs?: number } = {},
): (projection: ReadModelProjection, position: bigint, timeoutMs: number) => Promise<boolean> {
  const intervalMs = options.intervalMs ?? 25;
  const reading = new Map<string, Promise<bigint | undefined>>();
  const current = (projection: ReadModelProjection): Promise<bigint | undefined> => {
    let read = reading.get(projection);
    if (!read) {
      read = documents
        .getCheckpoint(projection)
        .then((checkpoint) => checkpoint?.position)
        .finally(() => reading.delete(projection));
      reading.set(projection, read);
    }
    return read;
  };

  return async (projection, position, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoint = await current(projection);
      if (checkpoint !== undefined && checkpoint >= position) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await sleep(Math.min(intervalMs, left));
    }
  };
}
