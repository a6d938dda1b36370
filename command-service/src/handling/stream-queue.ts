import type { EventStore } from '@otp/platform/event-store';

const tails = new WeakMap<EventStore, Map<string, Promise<unknown>>>();

/**
 * Runs `work` after every earlier call for the same stream (of the same store)
 * has finished. Within one process, commands on one stream then never race:
 * twelve simultaneous guesses at one code are decided one after another, each
 * seeing the attempts before it, instead of most of them losing a conflict
 * and giving up. Optimistic concurrency still guards against other processes.
 */
export function inStreamOrder<T>(eventStore: EventStore, streamName: string, work: () => Promise<T>): Promise<T> {
  let byStream = tails.get(eventStore);
  if (!byStream) {
    byStream = new Map();
    tails.set(eventStore, byStream);
  }
  const previous = byStream.get(streamName) ?? Promise.resolve();
  const run = previous.then(work, work);
  const tail = run.catch(() => undefined);
  byStream.set(streamName, tail);
  // Forget the stream once nothing is queued behind this call, so the map stays small.
  void tail.then(() => {
    if (byStream.get(streamName) === tail) byStream.delete(streamName);
  });
  return run;
}
