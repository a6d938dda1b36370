import { describe, expect, it } from 'vitest';
import {
  apiKeyIssued,
  customerRegistered,
  loggedIn,
  otpRequested,
  specApiKey,
  specChallenge,
  specTenant,
  specUserId,
  withWrongSecret,
  wrongCodesTried,
  type SpecApiKey,
  type SpecTenant,
} from '../support/given-events';
import { expectNewEvents, expectProblem, expectResponse, useRouteSpec, type RequestOptions } from '../support/route-spec';
import type { HttpCall } from '../support/http';
import { SPEC_OPERATOR_TOKEN } from '../support/spec-secrets';
import { ZERO_USAGE } from '../support/usage';

/** Usage of query-service/src/http: counters per tenant per hour, day and month, every bucket of the range. */
const zero = ZERO_USAGE;

/**
 * On 1 March: Ada logs in at 10:05 after one wrong code, and again at 23:50 as the same user;
 * Eve's code is locked by five wrong ones at 23:55. On 2 March at 00:10 Ada asks for a code.
 */
function history(tenant: SpecTenant) {
  const ada = specUserId();
  const first = specChallenge(tenant, 'ada@example.com', { at: new Date('2026-03-01T10:05:00.000Z') });
  const second = specChallenge(tenant, 'ada@example.com', { at: new Date('2026-03-01T23:50:00.000Z') });
  const locked = specChallenge(tenant, 'eve@example.com', { at: new Date('2026-03-01T23:55:00.000Z') });
  const nextDay = specChallenge(tenant, 'ada@example.com', { at: new Date('2026-03-02T00:10:00.000Z') });
  return [
    customerRegistered(tenant, new Date('2026-03-01T09:00:00.000Z')),
    otpRequested(first),
    wrongCodesTried(first, 1),
    loggedIn(first, ada),
    otpRequested(second),
    loggedIn(second, ada, { newUser: false }),
    otpRequested(locked),
    wrongCodesTried(locked, 5),
    otpRequested(nextDay),
  ].flat();
}

describe('GET /v1/usage', () => {
  const spec = useRouteSpec();
  const usage =
    (tenant: SpecTenant, query: string, token = tenant.key.key) =>
    (http: HttpCall) =>
      http('GET', `/v1/usage?${query}`, { token });

  it('answers every day of the range, zeroes included, counting each failure once', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(usage(acme, 'from=2026-02-28&to=2026-03-03&granularity=day'))
      .then(
        expectResponse(200, {
          equals: {
            granularity: 'day',
            buckets: [
              { start: '2026-02-28T00:00:00.000Z', ...zero },
              {
                start: '2026-03-01T00:00:00.000Z',
                ...zero,
                otpRequested: 3,
                otpVerified: 2,
                otpFailed: 6,
                otpLocked: 1,
                usersCreated: 1,
                logins: 2,
                uniqueUsers: 1,
              },
              { start: '2026-03-02T00:00:00.000Z', ...zero, otpRequested: 1 },
            ],
          },
        }),
      );
  });

  it('answers hours on request, the range starting at the hour that holds `from`', async () => {
    const acme = specTenant();
    const { response } = await spec
      .given(history(acme))
      .when(usage(acme, 'from=2026-03-01T09:30:00.000Z&to=2026-03-02T01:00:00.000Z&granularity=hour'))
      .thenOutcome(expectResponse(200, { body: { granularity: 'hour' } }));
    const buckets = response.body.buckets as ({ start: string } & typeof zero)[];
    expect(buckets).toHaveLength(16);
    expect(buckets[0]!.start).toBe('2026-03-01T09:00:00.000Z');
    const nonZero = buckets.filter(({ start: _start, ...counters }) => Object.values(counters).some((n) => n > 0));
    expect(nonZero).toEqual([
      {
        start: '2026-03-01T10:00:00.000Z',
        ...zero,
        otpRequested: 1,
        otpVerified: 1,
        otpFailed: 1,
        usersCreated: 1,
        logins: 1,
        uniqueUsers: 1,
      },
      {
        start: '2026-03-01T23:00:00.000Z',
        ...zero,
        otpRequested: 2,
        otpVerified: 1,
        otpFailed: 5,
        otpLocked: 1,
        logins: 1,
        uniqueUsers: 1,
      },
      { start: '2026-03-02T00:00:00.000Z', ...zero, otpRequested: 1 },
    ]);
  });

  it('counts days when no granularity is given', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(usage(acme, 'from=2026-03-02&to=2026-03-03'))
      .then(
        expectResponse(200, { equals: { granularity: 'day', buckets: [{ start: '2026-03-02T00:00:00.000Z', ...zero, otpRequested: 1 }] } }),
      );
  });

  it('answers calendar months, the range starting at the month that holds `from`', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(usage(acme, 'from=2026-02-15&to=2026-04-01&granularity=month'))
      .then(
        expectResponse(200, {
          equals: {
            granularity: 'month',
            buckets: [
              { start: '2026-02-01T00:00:00.000Z', ...zero },
              {
                start: '2026-03-01T00:00:00.000Z',
                ...zero,
                otpRequested: 4,
                otpVerified: 2,
                otpFailed: 6,
                otpLocked: 1,
                usersCreated: 1,
                logins: 2,
                uniqueUsers: 1,
              },
            ],
          },
        }),
      );
  });

  it('answers exactly 400 days', async () => {
    const acme = specTenant();
    const { response } = await spec
      .given(customerRegistered(acme))
      .when(usage(acme, 'from=2025-01-01&to=2026-02-05'))
      .thenOutcome(expectResponse(200));
    expect(response.body.buckets).toHaveLength(400);
  });

  it("keeps tenants apart: another tenant's logins are not counted", () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    return spec
      .given(history(acme), customerRegistered(globex))
      .when(usage(globex, 'from=2026-03-01&to=2026-03-02'))
      .then(expectResponse(200, { equals: { granularity: 'day', buckets: [{ start: '2026-03-01T00:00:00.000Z', ...zero }] } }));
  });

  it('reads its own write: a code asked for, then the read that waits for its X-Event-Position', () => {
    const acme = specTenant();
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    return spec
      .given(customerRegistered(acme))
      .when(async (http) => {
        const asked = await http('POST', '/v1/otp/request', { token: acme.key.key, body: { email: 'ada@example.com' } });
        return http('GET', `/v1/usage?from=${today}&to=${tomorrow}`, {
          token: acme.key.key,
          headers: { 'x-min-position': asked.headers.get('x-event-position')! },
        });
      })
      .then(
        expectResponse(200, { body: { buckets: [{ start: `${today}T00:00:00.000Z`, otpRequested: 1 }] } }),
        expectNewEvents([{ type: 'OtpRequested' }]),
      );
  });

  it.each<[string, (tenant: SpecTenant, writer: SpecApiKey) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ['a malformed key', () => ({ token: 'sk_live_nope' }), 401, 'invalid-api-key'],
    ['a key with a wrong secret', (tenant) => ({ token: withWrongSecret(tenant.key) }), 401, 'invalid-api-key'],
    ['the operator token', () => ({ token: SPEC_OPERATOR_TOKEN }), 401, 'invalid-api-key'],
    ['a key without analytics:read', (_tenant, writer) => ({ token: writer.key }), 403, 'insufficient-scope'],
    ['a malformed X-Min-Position', (tenant) => ({ token: tenant.key.key, headers: { 'x-min-position': '12abc' } }), 400, 'validation'],
  ])('refuses %s', (_name, request, status, type) => {
    const acme = specTenant();
    const writer = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, writer))
      .when((http) => http('GET', '/v1/usage?from=2026-03-01&to=2026-03-02', request(acme, writer)))
      .then(expectProblem(status, type));
  });

  it.each([
    ['a reversed range', 'from=2026-03-02&to=2026-03-01', 'to'],
    ['an empty range', 'from=2026-03-01&to=2026-03-01', 'to'],
    ['a range of more than 400 days in hours', 'from=2025-01-01&to=2026-02-06&granularity=hour', 'to'],
    ['a range of more than 400 days', 'from=2025-01-01T00:00:00.000Z&to=2026-02-05T00:00:00.001Z', 'to'],
    ['a date that is not a date', 'from=yesterday&to=2026-03-01', 'from'],
    ['a time with an offset instead of Z', 'from=2026-03-01T00:00:00%2B02:00&to=2026-03-02', 'from'],
    ['a missing bound', 'from=2026-03-01', 'to'],
    ['an unknown granularity', 'from=2026-03-01&to=2026-03-02&granularity=week', 'granularity'],
    ['an unknown parameter', 'from=2026-03-01&to=2026-03-02&tenant=cus_0000000000000000', 'tenant'],
    ['a repeated parameter', 'from=2026-03-01&from=2026-03-02&to=2026-03-03', 'from'],
  ])('refuses %s', (_name, query, path) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(usage(acme, query))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } }));
  });
});
