import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles from the first delay up to the cap, and starts over after a reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 500 });
    expect([backoff.next(), backoff.next(), backoff.next(), backoff.next()]).toEqual([100, 200, 400, 500]);
    expect(backoff.consecutiveFailures).toBe(4);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });
});
