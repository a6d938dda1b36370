import { USAGE_COUNTERS, type UsageBucketDocument, type UsageCounters } from '@otp/contracts';

export type Granularity = 'hour' | 'day';
const STEP_MS: Record<Granularity, number> = { hour: 3_600_000, day: 86_400_000 };
/** Bounded answers: at most ~a month of hours or ~a year of days per request. */
export const MAX_BUCKETS = 800;

export const bucketStart = (at: Date, granularity: Granularity): Date =>
  new Date(Math.floor(at.getTime() / STEP_MS[granularity]) * STEP_MS[granularity]);

export function bucketCount(from: Date, to: Date, granularity: Granularity): number {
  return Math.ceil((to.getTime() - bucketStart(from, granularity).getTime()) / STEP_MS[granularity]);
}

/** Every bucket of [from, to), zeroes where nothing happened, so charts need no gap filling. */
export function denseBuckets(docs: UsageBucketDocument[], from: Date, to: Date, granularity: Granularity) {
  const byStart = new Map(docs.map((d) => [Date.parse(d.start), d]));
  const zero = Object.fromEntries(USAGE_COUNTERS.map((c) => [c, 0])) as UsageCounters;
  const buckets: ({ start: string } & UsageCounters)[] = [];
  for (let t = bucketStart(from, granularity).getTime(); t < to.getTime(); t += STEP_MS[granularity]) {
    const doc = byStart.get(t);
    const counters = doc ? (Object.fromEntries(USAGE_COUNTERS.map((c) => [c, doc[c]])) as UsageCounters) : zero;
    buckets.push({ start: new Date(t).toISOString(), ...counters });
  }
  return buckets;
}
