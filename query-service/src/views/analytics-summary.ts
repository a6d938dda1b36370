import { quantileMs, USAGE_COUNTERS, type UsageBucketDocument, type UsageCounters, type VerifyStatsDocument } from '@otp/contracts';

/** Summed over days: distinct users of several days are not the sum of each day's, so they are left out. */
export type UsageTotals = Omit<UsageCounters, 'uniqueUsers'>;
const SUMMED = USAGE_COUNTERS.filter((c): c is keyof UsageTotals => c !== 'uniqueUsers');

function totalsOf(days: UsageBucketDocument[]): UsageTotals {
  const totals = Object.fromEntries(SUMMED.map((c) => [c, 0])) as UsageTotals;
  for (const day of days) for (const counter of SUMMED) totals[counter] += day[counter];
  return totals;
}

/** The bins of every day added up, by bin index. */
function durationBins(stats: VerifyStatsDocument[]): Map<number, number> {
  const bins = new Map<number, number>();
  for (const day of stats) {
    for (const [field, count] of Object.entries(day.durations ?? {})) {
      const index = Number(field.slice(1));
      bins.set(index, (bins.get(index) ?? 0) + count);
    }
  }
  return bins;
}

/**
 * Why requests and verifications failed: the verify failures by their recorded reason, beside
 * the refusals and failed sends the counters hold (windows for the limits, see UsageCounters).
 */
function failureReasons(stats: VerifyStatsDocument[], totals: UsageTotals): Record<string, number> {
  const reasons: Record<string, number> = { wrong_code: 0, expired: 0, no_challenge: 0, already_used: 0, locked: 0 };
  for (const day of stats)
    for (const [reason, count] of Object.entries(day.failures ?? {})) reasons[reason] = (reasons[reason] ?? 0) + count;
  return { ...reasons, rate_limited: totals.rateLimited, quota_exceeded: totals.quotaExceeded, email_failed: totals.emailsFailed };
}

/** The analytics summary of the days read: totals, success rate, time to verify, failure reasons. */
export function analyticsSummary(from: Date, to: Date, days: UsageBucketDocument[], stats: VerifyStatsDocument[]) {
  const totals = totalsOf(days);
  const attempts = totals.otpVerified + totals.otpFailed;
  const bins = durationBins(stats);
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    totals,
    // Of the verify attempts, the share that succeeded; null when there were none.
    verifySuccessRate: attempts === 0 ? null : totals.otpVerified / attempts,
    timeToVerify: {
      count: [...bins.values()].reduce((sum, n) => sum + n, 0),
      medianMs: quantileMs(bins, 0.5),
      p95Ms: quantileMs(bins, 0.95),
    },
    failureReasons: failureReasons(stats, totals),
  };
}
