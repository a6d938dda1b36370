import { describe, expect, it } from 'vitest';
import { StreamStateCache } from './stream-state-cache';

describe('StreamStateCache', () => {
  const decider = {};

  it('gives back what it was told, for the same decider only', () => {
    const cache = new StreamStateCache(10);
    cache.remember('otp-1', decider, 2n, { n: 2 });
    expect(cache.get('otp-1', decider)).toEqual({ revision: 2n, state: { n: 2 } });
    expect(cache.get('otp-1', {})).toBeUndefined();
    expect(cache.get('otp-2', decider)).toBeUndefined();
  });

  it('keeps the newer of two states that arrive out of order', () => {
    const cache = new StreamStateCache(10);
    cache.remember('s', decider, 5n, 'five');
    cache.remember('s', decider, 3n, 'three');
    expect(cache.get('s', decider)).toEqual({ revision: 5n, state: 'five' });
  });

  it('forgets the stream remembered longest ago once full', () => {
    const cache = new StreamStateCache(2);
    cache.remember('a', decider, 0n, 'a');
    cache.remember('b', decider, 0n, 'b');
    cache.remember('a', decider, 1n, 'a1'); // a is now the youngest
    cache.remember('c', decider, 0n, 'c');
    expect(cache.size).toBe(2);
    expect(cache.get('b', decider)).toBeUndefined();
    expect(cache.get('a', decider)?.state).toBe('a1');
    expect(cache.get('c', decider)?.state).toBe('c');
  });
});
