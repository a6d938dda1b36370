import { setTimeout as sleep } from 'node:timers/promises';
import type { DocumentStore } from '@otp/platform/document-store';

/**
 * Read-your-writes when the projections run in another process: the wait
 * polls the checkpoint they commit with the read models. Concurrent waiters
 * share each read, so a burst of requests costs one query per interval, not
 * one per request.
 */
export function createCheckpointWaiter(
  documents: Pick<DocumentStore, 'getCheckpoint'>,
  checkpointName: string,
  options: { intervalMs?: number } = {},
): (position: bigint, timeoutMs: number) => Promise<boolean> {
  const intervalMs = options.intervalMs ?? 25;
  let reading: Promise<bigint | undefined> | undefined;
  const current = () =>
    (reading ??= documents
      .getCheckpoint(checkpointName)
      .then((checkpoint) => checkpoint?.position)
      .finally(() => {
        reading = undefined;
      }));

  return async (position, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const checkpoint = await current();
      if (checkpoint !== undefined && checkpoint >= position) return true;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await sleep(Math.min(intervalMs, left));
    }
  };
}
