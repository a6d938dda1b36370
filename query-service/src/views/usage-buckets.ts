import { USAGE_COUNTERS, type UsageBucketDocument, type UsageCounters } from '@otp/contracts';

export type UsageBucketView = { start: string } & UsageCounters;

const countersOf = (doc: UsageCounters | undefined): UsageCounters =>
  Object.fromEntries(USAGE_COUNTERS.map((c) => [c, doc?.[c] ?? 0])) as UsageCounters;

/** Every bucket of `starts`, zeroes where nothing happened, so charts need no gap filling. */
export function denseBuckets(docs: UsageBucketDocument[], starts: Date[]): UsageBucketView[] {
  const byStart = new Map(docs.map((doc) => [doc.start, doc]));
  return starts.map((start) => {
    const iso = start.toISOString();
    return { start: iso, ...countersOf(byStart.get(iso)) };
  });
}
