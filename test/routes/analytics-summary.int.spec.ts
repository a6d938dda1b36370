import { describe, expect, it } from 'vitest';
import { binUpperEdgeMs, durationBin } from '@otp/contracts';
import {
  apiKeyIssued,
  customerRegistered,
  loggedIn,
  otpRateLimited,
  otpRequested,
  specApiKey,
  specChallenge,
  specTenant,
  specUserId,
  wrongCodesTried,
  type SpecTenant,
} from '../support/given-events';
import { expectProblem, expectResponse, useRouteSpec } from '../support/route-spec';
import type { HttpCall } from '../support/http';

/**
 * On 1 March Ada verifies after 20 s (one wrong code first) and Bob after 60 s; on 2 March Eve
 * after 40 s, Mal's code is locked by five wrong ones and Mal's next request hits the per-email limit.
 */
function history(tenant: SpecTenant) {
  const at = (time: string) => new Date(`2026-03-0${time}Z`);
  const ada = specChallenge(tenant, 'ada@example.com', { at: at('1T10:00:00.000') });
  const bob = specChallenge(tenant, 'bob@example.com', { at: at('1T12:00:00.000') });
  const eve = specChallenge(tenant, 'eve@example.com', { at: at('2T08:00:00.000') });
  const mal = specChallenge(tenant, 'mal@example.com', { at: at('2T09:00:00.000') });
  return [
    customerRegistered(tenant, at('1T09:00:00.000')),
    otpRequested(ada),
    wrongCodesTried(ada, 1),
    loggedIn(ada, specUserId(), { at: at('1T10:00:20.000') }),
    otpRequested(bob),
    loggedIn(bob, specUserId(), { at: at('1T12:01:00.000') }),
    otpRequested(eve),
    loggedIn(eve, specUserId(), { at: at('2T08:00:40.000') }),
    otpRequested(mal),
    wrongCodesTried(mal, 5),
    otpRateLimited(mal, at('2T09:10:00.000')),
  ].flat();
}

const noFailures = {
  wrong_code: 0,
  expired: 0,
  no_challenge: 0,
  already_used: 0,
  locked: 0,
  rate_limited: 0,
  quota_exceeded: 0,
  email_failed: 0,
};

describe('GET /v1/analytics/summary', () => {
  const spec = useRouteSpec();
  const summary =
    (tenant: SpecTenant, query: string, token = tenant.key.key) =>
    (http: HttpCall) =>
      http('GET', `/v1/analytics/summary?${query}`, { token });

  it('sums the UTC days the range overlaps: totals, success rate, time to verify and failure reasons', async () => {
    const acme = specTenant();
    const { response } = await spec
      .given(history(acme))
      .when(summary(acme, 'from=2026-03-01T10:30:00.000Z&to=2026-03-02T12:00:00.000Z'))
      .thenOutcome(
        expectResponse(200, {
          equals: {
            from: '2026-03-01T00:00:00.000Z',
            to: '2026-03-03T00:00:00.000Z',
            totals: {
              otpRequested: 4,
              otpVerified: 3,
              otpFailed: 6,
              otpLocked: 1,
              emailsSent: 0,
              emailsFailed: 0,
              usersCreated: 3,
              logins: 3,
              rateLimited: 1,
              quotaExceeded: 0,
            },
            verifySuccessRate: 3 / 9,
            timeToVerify: { count: 3, medianMs: binUpperEdgeMs(durationBin(40_000)), p95Ms: binUpperEdgeMs(durationBin(60_000)) },
            failureReasons: { ...noFailures, wrong_code: 6, rate_limited: 1 },
          },
        }),
      );
    // The histogram's bound (contracts/src/read-models/duration-bins.ts): never under, at most 4.5% over.
    const { medianMs, p95Ms } = response.body.timeToVerify as { medianMs: number; p95Ms: number };
    expect(medianMs).toBeGreaterThanOrEqual(40_000);
    expect(medianMs).toBeLessThanOrEqual(40_000 * 1.045);
    expect(p95Ms).toBeGreaterThanOrEqual(60_000);
    expect(p95Ms).toBeLessThanOrEqual(60_000 * 1.045);
  });

  it('answers a day of its own, and nulls where nothing was verified', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(summary(acme, 'from=2026-03-03&to=2026-03-04'))
      .then(
        expectResponse(200, {
          body: {
            from: '2026-03-03T00:00:00.000Z',
            to: '2026-03-04T00:00:00.000Z',
            totals: { otpRequested: 0, logins: 0 },
            verifySuccessRate: null,
            timeToVerify: { count: 0, medianMs: null, p95Ms: null },
            failureReasons: noFailures,
          },
        }),
      );
  });

  it("keeps tenants apart: another tenant's verifications are not in it", () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    return spec
      .given(history(acme), customerRegistered(globex))
      .when(summary(globex, 'from=2026-03-01&to=2026-03-03'))
      .then(
        expectResponse(200, {
          body: { totals: { otpRequested: 0, otpVerified: 0 }, timeToVerify: { count: 0 }, failureReasons: noFailures },
        }),
      );
  });

  it('refuses a key without analytics:read', () => {
    const acme = specTenant();
    const writer = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, writer))
      .when(summary(acme, 'from=2026-03-01&to=2026-03-02', writer.key))
      .then(expectProblem(403, 'insufficient-scope'));
  });

  it.each([
    ['a reversed range', 'from=2026-03-02&to=2026-03-01', 'to'],
    ['a range of more than 400 days', 'from=2025-01-01&to=2026-02-06', 'to'],
    ['a date that is not a date', 'from=2026-02-30&to=2026-03-01', 'from'],
    ['a missing bound', 'to=2026-03-01', 'from'],
    ['a granularity, which a summary has none of', 'from=2026-03-01&to=2026-03-02&granularity=day', 'granularity'],
  ])('refuses %s, naming the parameter', (_name, query, path) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(summary(acme, query))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } }));
  });
});
