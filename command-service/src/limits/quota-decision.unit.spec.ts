import { describe, expect, it } from 'vitest';
import { decideQuota, quotaWindows } from './quota-decision';

const now = new Date('2025-03-31T23:59:30.000Z');

describe('quota windows', () => {
  it('are the UTC day and month, resetting at midnight and on the first', () => {
    const windows = quotaWindows(now);
    expect(windows.daily).toEqual({ start: new Date('2025-03-31T00:00:00.000Z'), end: new Date('2025-04-01T00:00:00.000Z') });
    expect(windows.monthly).toEqual({ start: new Date('2025-03-01T00:00:00.000Z'), end: new Date('2025-04-01T00:00:00.000Z') });
    expect(quotaWindows(new Date('2025-12-15T10:00:00.000Z')).monthly.end).toEqual(new Date('2026-01-01T00:00:00.000Z'));
  });
});

describe('deciding a quota', () => {
  it('allows everything and shows nothing when no quota holds', () => {
    expect(decideQuota({ daily: null, monthly: null }, { daily: 10 ** 9, monthly: 10 ** 9 }, now)).toEqual({
      allowed: true,
      shown: undefined,
    });
  });

  it('allows the last request of a window and shows the window closest to exhaustion', () => {
    const verdict = decideQuota({ daily: 100, monthly: 1_000 }, { daily: 99, monthly: 500 }, now);
    expect(verdict).toEqual({
      allowed: true,
      shown: { allowed: true, limit: 100, remaining: 0, resetSeconds: 30, retryAfterSeconds: 0 },
    });
  });

  it('refuses a full day until midnight UTC', () => {
    const at = new Date('2025-03-10T18:00:00.000Z');
    const verdict = decideQuota({ daily: 100, monthly: 1_000 }, { daily: 100, monthly: 500 }, at);
    expect(verdict).toMatchObject({
      allowed: false,
      retryAfterSeconds: 6 * 3600,
      shown: { limit: 100, remaining: 0, resetSeconds: 6 * 3600 },
      crossed: [{ window: 'daily', quota: 100, windowStart: '2025-03-10T00:00:00.000Z', resetAt: '2025-03-11T00:00:00.000Z' }],
    });
  });

  it('refuses a full month until the first of the next, even when the day has room', () => {
    const at = new Date('2025-03-10T00:00:00.000Z');
    const verdict = decideQuota({ daily: 100, monthly: 1_000 }, { daily: 0, monthly: 1_000 }, at);
    expect(verdict).toMatchObject({ allowed: false, retryAfterSeconds: 22 * 86_400, shown: { limit: 1_000 } });
  });

  it('refuses every request under a quota of zero', () => {
    expect(decideQuota({ daily: 0, monthly: null }, { daily: 0, monthly: 0 }, now).allowed).toBe(false);
  });
});
