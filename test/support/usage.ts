import { expect } from 'vitest';
import { USAGE_COUNTERS, type UsageCounters } from '@otp/contracts';
import type { HttpCall } from './http';

/** Usage summed over every day bucket from yesterday to tomorrow: a run across midnight UTC still counts everything. */
export async function usageTotals(http: HttpCall, apiKey: string, minPosition: string) {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const res = await http('GET', `/v1/usage?from=${day(-1)}&to=${day(2)}`, { token: apiKey, headers: { 'x-min-position': minPosition } });
  expect(res.status).toBe(200);
  const totals: Record<string, number> = {};
  for (const bucket of res.body.buckets as Record<string, unknown>[]) {
    for (const [name, value] of Object.entries(bucket)) if (typeof value === 'number') totals[name] = (totals[name] ?? 0) + value;
  }
  return totals;
}

/** A bucket with nothing in it, from the counters the contract lists: a counter added there is expected here too. */
export const ZERO_USAGE: UsageCounters = Object.fromEntries(USAGE_COUNTERS.map((counter) => [counter, 0])) as UsageCounters;
