import { describe, expect, it } from 'vitest';
import { effectiveQuotas, PLAN_LIMITS } from './plan-limits';

const none = { daily: null, monthly: null };

describe('effective quotas', () => {
  it("are the plan's when nobody changed them", () => {
    expect(effectiveQuotas('free', none, none)).toEqual({ daily: 100, monthly: 1_000 });
    expect(effectiveQuotas('enterprise', none, none)).toEqual(none);
  });

  it('follow the operator where the operator raised them', () => {
    expect(effectiveQuotas('free', { daily: 5_000, monthly: null }, none)).toEqual({ daily: 5_000, monthly: 1_000 });
  });

  it("let the tenant's config lower them and never raise them", () => {
    expect(effectiveQuotas('pro', none, { daily: 50, monthly: 10_000_000 })).toEqual({ daily: 50, monthly: 100_000 });
    expect(effectiveQuotas('enterprise', none, { daily: 10, monthly: null })).toEqual({ daily: 10, monthly: null });
    expect(effectiveQuotas('free', { daily: 500, monthly: 600 }, { daily: 1_000, monthly: 20 })).toEqual({ daily: 500, monthly: 20 });
  });

  it('give every plan a key rate above its end-user rate', () => {
    for (const limits of Object.values(PLAN_LIMITS)) expect(limits.perApiKey.perSecond).toBeGreaterThan(limits.perEndUserAddress.perSecond);
  });
});
