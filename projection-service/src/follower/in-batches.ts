export interface Batch<T> {
  items: T[];
  /** The source had nothing more ready when the batch closed: the reader is caught up. */
  drained: boolean;
}

const NOT_READY = Symbol('not ready');
const nextMacrotask = () => new Promise<typeof NOT_READY>((resolve) => setImmediate(resolve, NOT_READY));

/**
 * Groups an async iterable into batches of up to `maxItems`, closing a batch
 * early when the next item is not ready within the current macrotask. So a
 * catch-up over stored events commits large batches, while a live event is
 * committed at once instead of waiting for company.
 *
 * Still a pull: at most one `next()` is outstanding, so the source's ordering
 * and backpressure hold. An empty drained batch is yielded once when the
 * reader becomes idle without having just closed a drained batch, so the
 * consumer learns it is caught up even when there is nothing to read at all.
 */
export async function* inBatches<T>(source: AsyncIterable<T>, maxItems: number): AsyncGenerator<Batch<T>, void, undefined> {
  if (!Number.isSafeInteger(maxItems) || maxItems < 1) throw new RangeError(`maxItems must be a positive integer, got ${maxItems}`);
  const iterator = source[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<T>> | undefined;
  let idleAnnounced = false;
  let finished = false;
  try {
    for (;;) {
      pending ??= iterator.next();
      let first = await Promise.race([pending, nextMacrotask()]);
      if (first === NOT_READY) {
        if (!idleAnnounced) {
          idleAnnounced = true;
          yield { items: [], drained: true };
        }
        first = await pending;
      }
      pending = undefined;
      if (first.done) {
        finished = true;
        return;
      }

      const items = [first.value];
      let drained = false;
      // One deadline for the whole batch: what is ready before this macrotask ends joins it.
      // A timer per item would cost more than reading the item.
      const deadline = nextMacrotask();
      while (items.length < maxItems) {
        pending = iterator.next();
        const next = await Promise.race([pending, deadline]);
        if (next === NOT_READY) {
          drained = true;
          break;
        }
        pending = undefined;
        if (next.done) {
          finished = true;
          yield { items, drained: true };
          return;
        }
        items.push(next.value);
      }
      idleAnnounced = drained;
      yield { items, drained };
    }
  } finally {
    // Not awaited: with a pull outstanding, return() queues behind it, and a
    // source that ignores its abort signal must not hang the consumer's stop.
    if (!finished) iterator.return?.()?.catch(() => undefined);
  }
}
