import { describe, expect, it } from 'vitest';
import { randomHex, randomToken, secretEquals, uuidFromTimeAndName } from './secrets';

describe('random values from the pool', () => {
  it('never hands out the same bytes twice, across many refills of the pool', () => {
    const seen = new Set<string>();
    // 20,000 × 8 bytes is about 40 refills of a 4 KiB pool.
    for (let i = 0; i < 20_000; i++) seen.add(randomHex(8));
    expect(seen.size).toBe(20_000);
  });

  it('gives the asked length, also past the pool size', () => {
    expect(randomHex(8)).toMatch(/^[0-9a-f]{16}$/);
    expect(randomToken(32)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomHex(5000)).toHaveLength(10_000);
  });

  it('uses every hex digit about equally often', () => {
    const counts = new Map<string, number>();
    for (const ch of Array.from({ length: 2000 }, () => randomHex(16)).join('')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    // 64,000 digits: 4,000 expected each; 5 standard deviations is about ±300.
    expect(counts.size).toBe(16);
    for (const n of counts.values()) expect(Math.abs(n - 4000)).toBeLessThan(400);
  });
});

describe('secretEquals', () => {
  it('tells equal from unequal, including different lengths', () => {
    expect(secretEquals('abc', 'abc')).toBe(true);
    expect(secretEquals('abc', 'abd')).toBe(false);
    expect(secretEquals('abc', 'abcd')).toBe(false);
  });
});

describe('uuidFromTimeAndName', () => {
  const at = new Date('2026-11-23T09:00:00.000Z');

  it('gives the same id for the same time and name, another for another name', () => {
    expect(uuidFromTimeAndName(at, 'cmd-1/otp-x/0')).toBe(uuidFromTimeAndName(at, 'cmd-1/otp-x/0'));
    expect(uuidFromTimeAndName(at, 'cmd-1/otp-x/1')).not.toBe(uuidFromTimeAndName(at, 'cmd-1/otp-x/0'));
  });

  it('is a version 7 UUID whose first 48 bits are the time, so later ids sort later', () => {
    const id = uuidFromTimeAndName(at, 'n');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at.getTime());
    const later = uuidFromTimeAndName(new Date(at.getTime() + 1), 'a');
    expect(later > uuidFromTimeAndName(at, 'z')).toBe(true);
  });
});
