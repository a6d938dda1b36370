import { expect } from 'vitest';
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
