import type { OtpQuotas } from '@otp/contracts';
import type { LimitDecision } from '@otp/platform/limits';

export type QuotaWindow = 'daily' | 'monthly';

export interface WindowBounds {
  start: Date;
  /** When the window resets: the next UTC day or month. */
  end: Date;
}

/** The UTC day and the UTC month holding `now`: quotas reset at midnight UTC and on the first of the month. */
export function quotaWindows(now: Date): Record<QuotaWindow, WindowBounds> {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  return {
    daily: { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) },
    monthly: { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) },
  };
}

export interface QuotaCrossed {
  window: QuotaWindow;
  quota: number;
  windowStart: string;
  resetAt: string;
}

export type QuotaVerdict =
  | { allowed: true; /** The headers to show; undefined when no quota holds. */ shown: LimitDecision | undefined }
  | { allowed: false; shown: LimitDecision; crossed: QuotaCrossed[]; retryAfterSeconds: number };

const secondsUntil = (end: Date, now: Date) => Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000));

/**
 * Whether one more OTP request fits the quotas, given what the windows have
 * used. Pure: the counts and the time come in. The headers show the window
 * closest to exhaustion; a refusal waits for the latest reset among the
 * windows that are full (a full month outlasts a full day).
 */
export function decideQuota(quotas: OtpQuotas, used: Record<QuotaWindow, number>, now: Date): QuotaVerdict {
  const bounds = quotaWindows(now);
  const windows = (['daily', 'monthly'] as const).flatMap((window) => {
    const quota = quotas[window];
    return quota === null ? [] : [{ window, quota, used: used[window], bounds: bounds[window] }];
  });
  if (windows.length === 0) return { allowed: true, shown: undefined };
  const full = windows.filter((w) => w.used >= w.quota);
  if (full.length > 0) {
    const retryAfterSeconds = Math.max(...full.map((w) => secondsUntil(w.bounds.end, now)));
    const binding = full.find((w) => secondsUntil(w.bounds.end, now) === retryAfterSeconds)!;
    return {
      allowed: false,
      retryAfterSeconds,
      shown: { allowed: false, limit: binding.quota, remaining: 0, resetSeconds: retryAfterSeconds, retryAfterSeconds },
      crossed: full.map((w) => ({
        window: w.window,
        quota: w.quota,
        windowStart: w.bounds.start.toISOString(),
        resetAt: w.bounds.end.toISOString(),
      })),
    };
  }
  const tightest = windows.reduce((a, b) => (b.quota - b.used < a.quota - a.used ? b : a));
  const remaining = tightest.quota - tightest.used - 1;
  return {
    allowed: true,
    shown: { allowed: true, limit: tightest.quota, remaining, resetSeconds: secondsUntil(tightest.bounds.end, now), retryAfterSeconds: 0 },
  };
}
