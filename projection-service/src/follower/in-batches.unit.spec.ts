import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { inBatches, type Batch } from './in-batches';

async function collect<T>(source: AsyncIterable<T>, max: number): Promise<Batch<T>[]> {
  const batches: Batch<T>[] = [];
  for await (const batch of inBatches(source, max)) batches.push(batch);
  return batches;
}

async function* ready(count: number) {
  for (let i = 1; i <= count; i++) yield i;
}

describe('inBatches', () => {
  it('fills batches up to the maximum from items that are ready', async () => {
    expect(await collect(ready(7), 3)).toEqual([
      { items: [1, 2, 3], drained: false },
      { items: [4, 5, 6], drained: false },
      { items: [7], drained: true },
    ]);
  });

  it('closes a batch when the next item is not ready yet', async () => {
    async function* bursts() {
      yield 1;
      yield 2;
      await sleep(20);
      yield 3;
    }
    expect(await collect(bursts(), 10)).toEqual([
      { items: [1, 2], drained: true },
      { items: [3], drained: true },
    ]);
  });

  it('says once that it is idle when there is nothing to read at first', async () => {
    async function* late() {
      await sleep(20);
      yield 1;
    }
    expect(await collect(late(), 10)).toEqual([
      { items: [], drained: true },
      { items: [1], drained: true },
    ]);
  });

  it('ends the source when the consumer stops early', async () => {
    let finished = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        finished = true;
      }
    }
    for await (const batch of inBatches(endless(), 2)) {
      expect(batch.items).toEqual([0, 1]);
      break;
    }
    await sleep(0);
    expect(finished).toBe(true);
  });
});
