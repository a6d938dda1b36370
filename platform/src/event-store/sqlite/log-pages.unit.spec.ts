import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../port';
import { LogPages } from './log-pages';

/** A log of the given positions (gaps allowed), counting the reads that reach it. */
function log(positions: number[]) {
  const events = positions.map((position): RecordedEvent => ({
    id: `evt-${position}`,
    type: 'Noted',
    streamName: 's',
    revision: BigInt(position),
    position: BigInt(position),
    data: {},
    metadata: { hash: 'h' },
  }));
  const reads: bigint[] = [];
  const read = (after: bigint, limit: number) => {
    reads.push(after);
    return events.filter((event) => event.position > after).slice(0, limit);
  };
  return {
    events,
    reads,
    read,
    append: (position: number) => events.push({ ...events[0]!, id: `evt-${position}`, position: BigInt(position) }),
  };
}
const positions = (page: { events: RecordedEvent[] }) => page.events.map((event) => Number(event.position));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the log cut into shared pages', () => {
  it('reads a complete page once for every reader that starts it', () => {
    const { read, reads } = log(range(1, 25));
    const pages = new LogPages(read, 10, 4);
    for (let reader = 0; reader < 3; reader++) {
      expect(pages.after(0n)).toEqual(expect.objectContaining({ through: 10n, complete: true }));
      expect(positions(pages.after(10n))).toEqual(range(11, 20));
    }
    expect(reads).toEqual([0n, 10n]);
  });

  it('gives a reader in the middle of a kept page only what follows it', () => {
    const { read } = log(range(1, 25));
    const pages = new LogPages(read, 10, 4);
    pages.after(0n);
    expect(positions(pages.after(6n))).toEqual([7, 8, 9, 10]);
  });

  it('reads the head page anew from each reader’s own position, and waits there', () => {
    const { read, reads, append } = log(range(1, 13));
    const pages = new LogPages(read, 10, 4);
    const head = pages.after(10n);
    expect(head).toEqual(expect.objectContaining({ through: 13n, complete: false }));
    expect(positions(head)).toEqual([11, 12, 13]);
    append(14);
    expect(positions(pages.after(13n))).toEqual([14]);
    expect(reads).toEqual([10n, 13n]);
  });

  it('passes over gaps: a page ends at its range, not at its last event, once a later event exists', () => {
    const { read } = log([1, 2, 5, 14, 31]);
    const pages = new LogPages(read, 10, 4);
    expect(pages.after(0n)).toEqual(expect.objectContaining({ through: 10n, complete: true }));
    expect(positions(pages.after(0n))).toEqual([1, 2, 5]);
    expect(positions(pages.after(10n))).toEqual([14]);
    // Nothing at all in 21..30, yet complete: 31 is committed, so nothing can appear there.
    expect(pages.after(20n)).toEqual({ events: [], through: 30n, complete: true });
    expect(pages.after(30n)).toEqual(expect.objectContaining({ through: 31n, complete: false }));
  });

  it('keeps only the last pages', () => {
    const { read, reads } = log(range(1, 100));
    const pages = new LogPages(read, 10, 2);
    for (const after of [0n, 10n, 20n]) pages.after(after);
    pages.after(10n);
    pages.after(0n);
    expect(reads).toEqual([0n, 10n, 20n, 0n]);
  });
});
