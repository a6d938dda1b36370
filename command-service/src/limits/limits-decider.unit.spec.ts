import { describe, it } from 'vitest';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { limitsDecider, type LimitCommand, type LimitEvent } from './limits-decider';

const given = contractCheckedSpecFor(limitsDecider);
const customerId = 'cus_00000000000000a1';

const rate = (windowStart: string, subject = 'key_0000000000a1', limit: 'api_key' | 'client_address' = 'api_key') => ({
  customerId,
  limit,
  subject,
  windowStart,
  retryAt: new Date(Date.parse(windowStart) + 1_000).toISOString(),
});
const quota = (window: 'daily' | 'monthly', windowStart: string) => ({
  customerId,
  window,
  quota: 100,
  windowStart,
  resetAt: new Date(Date.parse(windowStart) + 86_400_000).toISOString(),
});
const rateLimited = (windowStart: string, subject?: string, limit?: 'api_key' | 'client_address'): LimitCommand => ({
  type: 'RecordRateLimitExceeded',
  data: rate(windowStart, subject, limit),
});
const rateExceeded = (windowStart: string, subject?: string, limit?: 'api_key' | 'client_address'): LimitEvent => ({
  type: 'RateLimitExceeded',
  data: rate(windowStart, subject, limit),
});
const overQuota = (window: 'daily' | 'monthly', windowStart: string): LimitCommand => ({
  type: 'RecordQuotaExceeded',
  data: quota(window, windowStart),
});
const quotaExceeded = (window: 'daily' | 'monthly', windowStart: string): LimitEvent => ({
  type: 'QuotaExceeded',
  data: quota(window, windowStart),
});

describe('RecordRateLimitExceeded', () => {
  it("records a key's first refusal in a window", () =>
    given([])
      .when(rateLimited('2025-03-01T12:00:00.000Z'))
      .then([rateExceeded('2025-03-01T12:00:00.000Z')]));

  it('records nothing for another refusal in the same window', () =>
    given([rateExceeded('2025-03-01T12:00:00.000Z')])
      .when(rateLimited('2025-03-01T12:00:00.000Z'))
      .thenNothing());

  it('records the next window, and nothing for an older one (a slow instance)', () =>
    given([rateExceeded('2025-03-01T12:05:00.000Z')])
      .when(rateLimited('2025-03-01T12:04:00.000Z'))
      .thenNothing());

  it('keeps keys and end-user addresses apart', () =>
    given([rateExceeded('2025-03-01T12:00:00.000Z')])
      .when(rateLimited('2025-03-01T12:00:00.000Z', 'addrhash0001', 'client_address'))
      .then([rateExceeded('2025-03-01T12:00:00.000Z', 'addrhash0001', 'client_address')]));
});

describe('RecordQuotaExceeded', () => {
  it('records a quota crossed once per window', () =>
    given([quotaExceeded('daily', '2025-03-01T00:00:00.000Z')])
      .when(overQuota('daily', '2025-03-01T00:00:00.000Z'))
      .thenNothing());

  it('records the next day, and the monthly quota on its own', () =>
    given([quotaExceeded('daily', '2025-03-01T00:00:00.000Z')])
      .when(overQuota('monthly', '2025-03-01T00:00:00.000Z'))
      .then([quotaExceeded('monthly', '2025-03-01T00:00:00.000Z')]));

  it('records a new day', () =>
    given([quotaExceeded('daily', '2025-03-01T00:00:00.000Z')])
      .when(overQuota('daily', '2025-03-02T00:00:00.000Z'))
      .then([quotaExceeded('daily', '2025-03-02T00:00:00.000Z')]));
});
