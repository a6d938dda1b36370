import type { Plan } from '../ids';

/** A daily and a monthly cap on OTP requests; null is no cap. */
export interface OtpQuotas {
  daily: number | null;
  monthly: number | null;
}

/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
export interface RequestRate {
  burst: number;
  perSecond: number;
}

export interface PlanLimits {
  quotas: OtpQuotas;
  /** Per API key, per instance (each instance holds its own buckets). */
  perApiKey: RequestRate;
  /** Per end-user address behind one key, where the address is known (publishable keys, X-End-User-IP). */
  perEndUserAddress: RequestRate;
}

/**
 * What each plan allows, in the one place every side reads it. The key rates
 * are far above what one app needs in a normal minute: they stop a runaway
 * loop or a leaked key, while quotas are what a plan sells. An end user's
 * address gets a human's rate: a person asks for a few codes, not hundreds.
 */
export const PLAN_LIMITS: Record<Plan, PlanLimits> = {
  free: {
    quotas: { daily: 100, monthly: 1_000 },
    perApiKey: { burst: 100, perSecond: 20 },
    perEndUserAddress: { burst: 20, perSecond: 1 },
  },
  pro: {
    quotas: { daily: 10_000, monthly: 100_000 },
    perApiKey: { burst: 1_000, perSecond: 200 },
    perEndUserAddress: { burst: 20, perSecond: 1 },
  },
  enterprise: {
    quotas: { daily: null, monthly: null },
    perApiKey: { burst: 10_000, perSecond: 5_000 },
    perEndUserAddress: { burst: 50, perSecond: 2 },
  },
};

const lower = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.min(a, b));

/**
 * The quotas that hold: the operator's override where set, else the plan's;
 * then the tenant's own config may only lower that (never raise it).
 */
export function effectiveQuotas(plan: Plan, operatorOverride: OtpQuotas, tenantConfig: OtpQuotas): OtpQuotas {
  const planQuotas = PLAN_LIMITS[plan].quotas;
  const granted = {
    daily: operatorOverride.daily ?? planQuotas.daily,
    monthly: operatorOverride.monthly ?? planQuotas.monthly,
  };
  return { daily: lower(granted.daily, tenantConfig.daily), monthly: lower(granted.monthly, tenantConfig.monthly) };
}
