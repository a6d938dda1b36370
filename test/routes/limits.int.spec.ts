import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PLAN_LIMITS } from '@otp/contracts';
import {
  customerRegistered,
  otpRequested,
  quotasChanged,
  specChallenge,
  specTenant,
  tenantConfigSet,
  withWrongSecret,
  type SpecTenant,
} from '../support/given-events';
import type { HttpCall } from '../support/http';
import { SPEC_OPERATOR_TOKEN } from '../support/spec-secrets';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec, type SpecResponse } from '../support/route-spec';

/** Limits on the routes (platform/src/auth/request-guard.ts, command-service/src/limits): quotas, request rates, allowlists. */
const requestCode =
  (token: string, email: string, headers: Record<string, string> = {}) =>
  (http: HttpCall) =>
    http('POST', '/v1/otp/request', { token, body: { email }, headers });
/** Through the guard, then refused by the body's validation: a cheap request that appends nothing. */
const emptyRequest = (http: HttpCall, token: string, headers: Record<string, string> = {}) =>
  http('POST', '/v1/otp/request', { token, body: {}, headers });
const todays = (tenant: SpecTenant, n: number) =>
  Array.from({ length: n }, (_, i) => otpRequested(specChallenge(tenant, `earlier${i}@example.com`)));
const secondsToMidnight = () => {
  const now = new Date();
  return Math.ceil((Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime()) / 1000);
};
const nearMidnight = (value: string | null) => Math.abs(Number(value) - secondsToMidnight()) <= 5;

describe('OTP quotas on POST /v1/otp/request', () => {
  const spec = useRouteSpec();
  const mailbox = () => readdirSync(spec.app.mailboxDir);
  /** The request, then the limits' background appends, so the case sees what the refusal recorded. */
  const settled = (request: (http: HttpCall) => Promise<SpecResponse>) => async (http: HttpCall) => {
    const response = await request(http);
    await spec.app.limitsIdle();
    return response;
  };

  it("shows the plan's quota on an accepted request", async () => {
    const free = specTenant('Free', 'free');
    await spec
      .given(customerRegistered(free), todays(free, 3))
      .when(requestCode(free.key.key, 'ada@example.com'))
      .then(
        expectResponse(202, { headers: { 'ratelimit-limit': '100', 'ratelimit-remaining': '96', 'retry-after': null } }),
        expectThat(({ response }) => expect(nearMidnight(response.headers.get('ratelimit-reset'))).toBe(true)),
        expectNewEvents([{ type: 'OtpRequested' }]),
      );
  });

  it('refuses a request over the daily quota with 429 until midnight UTC, sends nothing, and records the crossing once', async () => {
    const acme = specTenant();
    const given = [customerRegistered(acme), tenantConfigSet(acme, { quotas: { daily: 2, monthly: null } }), todays(acme, 2)];
    const mailed = mailbox().length;
    const refused = () =>
      expectProblem(429, 'quota-exceeded', {
        body: { code: 'quota_exceeded' },
        headers: { 'ratelimit-limit': '2', 'ratelimit-remaining': '0' },
      });
    const waits = expectThat(({ response }) => {
      expect(nearMidnight(response.headers.get('retry-after'))).toBe(true);
      expect(response.headers.get('ratelimit-reset')).toBe(response.headers.get('retry-after'));
    });
    await spec
      .given(...given)
      .when(settled(requestCode(acme.key.key, 'ada@example.com')))
      .then(
        refused(),
        waits,
        expectNewEvents([
          { type: 'QuotaExceeded', streamName: `limits-${acme.id}`, data: { customerId: acme.id, window: 'daily', quota: 2 } },
        ]),
      );
    // Another refusal in the same window records nothing more.
    await spec
      .given()
      .when(settled(requestCode(acme.key.key, 'bob@example.com')))
      .then(refused(), waits);
    expect(mailbox().length).toBe(mailed);
  });

  it("lets the operator's quota replace the plan's, and the tenant's config lower it", async () => {
    const raised = specTenant('Raised', 'free');
    await spec
      .given(customerRegistered(raised), quotasChanged(raised, 5_000, 50_000), todays(raised, 1))
      .when(requestCode(raised.key.key, 'ada@example.com'))
      .then(
        expectResponse(202, { headers: { 'ratelimit-limit': '5000', 'ratelimit-remaining': '4998' } }),
        expectNewEvents([{ type: 'OtpRequested' }]),
      );
    const lowered = specTenant('Lowered', 'free');
    await spec
      .given(
        customerRegistered(lowered),
        quotasChanged(lowered, 5_000, null),
        tenantConfigSet(lowered, { quotas: { daily: 1, monthly: null } }),
        todays(lowered, 1),
      )
      .when(settled(requestCode(lowered.key.key, 'ada@example.com')))
      .then(expectProblem(429, 'quota-exceeded'), expectNewEvents([{ type: 'QuotaExceeded', data: { window: 'daily', quota: 1 } }]));
  });

  it('refuses by the monthly quota too, until the first of the next month', async () => {
    const acme = specTenant();
    const now = new Date();
    const nextMonth = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
    await spec
      .given(customerRegistered(acme), tenantConfigSet(acme, { quotas: { daily: null, monthly: 1 } }), todays(acme, 1))
      .when(settled(requestCode(acme.key.key, 'ada@example.com')))
      .then(
        expectProblem(429, 'quota-exceeded', { headers: { 'ratelimit-limit': '1' } }),
        expectThat(({ response }) =>
          expect(Math.abs(Number(response.headers.get('retry-after')) - (nextMonth - Date.now()) / 1000)).toBeLessThan(5),
        ),
        expectNewEvents([{ type: 'QuotaExceeded', data: { window: 'monthly', quota: 1, resetAt: new Date(nextMonth).toISOString() } }]),
      );
  });

  it('lets exactly one of 12 concurrent requests through at one below the quota (one process: no burst past it)', async () => {
    const acme = specTenant();
    const burst = async (http: HttpCall) => {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => requestCode(acme.key.key, `user${i}@example.com`)(http)));
      await spec.app.limitsIdle();
      expect(answers.map((a) => a.status).sort()).toEqual([202, ...Array<number>(11).fill(429)]);
      return answers.find((a) => a.status === 202)!;
    };
    await spec
      .given(customerRegistered(acme), tenantConfigSet(acme, { quotas: { daily: 5, monthly: null } }), todays(acme, 4))
      .when(burst)
      .then(
        expectResponse(202, { headers: { 'ratelimit-limit': '5', 'ratelimit-remaining': '0' } }),
        // The accepted request's OtpRequested and the one QuotaExceeded, in whichever order they committed.
        {
          aboutEvents: true,
          check: ({ newEvents }) => expect(newEvents.map((e) => e.type).sort()).toEqual(['OtpRequested', 'QuotaExceeded']),
        },
      );
  });
});

describe('PUT /v1/admin/customers/{id}/quotas', () => {
  const spec = useRouteSpec();
  const putQuotas =
    (id: string, body: unknown, token = SPEC_OPERATOR_TOKEN) =>
    (http: HttpCall) =>
      http('PUT', `/v1/admin/customers/${id}/quotas`, { token, body });

  it("records the operator's quotas and answers them beside the plan's", async () => {
    const acme = specTenant('Acme', 'free');
    await spec
      .given(customerRegistered(acme))
      .when(putQuotas(acme.id, { daily: 5_000, monthly: null }))
      .then(
        expectResponse(200, {
          equals: { id: acme.id, plan: 'free', override: { daily: 5_000, monthly: null }, planQuotas: PLAN_LIMITS.free.quotas },
        }),
        expectNewEvents([
          {
            type: 'CustomerQuotasChanged',
            streamName: `customer-${acme.id}`,
            data: { daily: 5_000, monthly: null },
            metadata: { actor: 'operator' },
          },
        ]),
      );
  });

  it.each([
    ['a negative quota', { daily: -1, monthly: null }],
    ['a fraction', { daily: 1.5, monthly: null }],
    ['a missing window', { daily: 10 }],
    ['an unknown field', { daily: 10, monthly: 10, weekly: 1 }],
  ])('refuses %s with 400 and no event', async (_what, body) => {
    const acme = specTenant();
    await spec.given(customerRegistered(acme)).when(putQuotas(acme.id, body)).then(expectProblem(400, 'validation'));
  });

  it('refuses a wrong operator token and an unknown customer', async () => {
    const acme = specTenant();
    await spec
      .given(customerRegistered(acme))
      .when(putQuotas(acme.id, { daily: 1, monthly: 1 }, 'not-the-operator'))
      .then(expectProblem(401, 'invalid-api-key'));
    await spec
      .given()
      .when(putQuotas('cus_00000000000000ff', { daily: 1, monthly: 1 }))
      .then(expectProblem(404, 'not-found'));
  });
});

describe('request rates per API key and per end user', () => {
  const spec = useRouteSpec();
  /** Sends cheap requests until one is refused (the bucket refills far slower than they go). */
  const untilRefused =
    (token: string, headers: Record<string, string> = {}) =>
    async (http: HttpCall) => {
      for (let sent = 0; sent < 5_000; sent += 25) {
        const answers = await Promise.all(Array.from({ length: 25 }, () => emptyRequest(http, token, headers)));
        const refused = answers.find((a) => a.status === 429);
        if (refused) {
          // A flood past the limit records nothing more.
          await Promise.all(Array.from({ length: 10 }, () => emptyRequest(http, token, headers)));
          await spec.app.limitsIdle();
          return refused;
        }
        expect(answers.every((a) => a.status === 400)).toBe(true);
      }
      throw new Error('never refused');
    };

  it('shows the key rate on an answer that went through', async () => {
    const acme = specTenant('Acme', 'free');
    await spec
      .given(customerRegistered(acme))
      .when((http) => emptyRequest(http, acme.key.key))
      .then(
        expectProblem(400, 'validation', {
          headers: { 'ratelimit-limit': String(PLAN_LIMITS.free.perApiKey.burst), 'ratelimit-remaining': /^\d+$/ },
        }),
      );
  });

  it('answers a key over its rate 429 rate_limited with Retry-After, and records it once per window', async () => {
    const acme = specTenant('Acme', 'free');
    await spec
      .given(customerRegistered(acme))
      .when(untilRefused(acme.key.key))
      .then(
        expectProblem(429, 'rate-limited', {
          body: { code: 'rate_limited' },
          headers: {
            'retry-after': /^[1-9]\d*$/,
            'ratelimit-limit': String(PLAN_LIMITS.free.perApiKey.burst),
            'ratelimit-remaining': '0',
            'ratelimit-reset': /^\d+$/,
          },
        }),
        expectNewEvents([
          {
            type: 'RateLimitExceeded',
            streamName: `limits-${acme.id}`,
            data: { limit: 'api_key', subject: acme.key.id },
            metadata: { actor: `apiKey:${acme.key.id}` },
          },
        ]),
      );
  });

  it("limits an end user named by a secret key's X-End-User-IP, never naming the address in the event", async () => {
    const acme = specTenant();
    const address = '198.51.100.23';
    const { response, newEvents } = await spec
      .given(customerRegistered(acme))
      .when(untilRefused(acme.key.key, { 'x-end-user-ip': address }))
      .thenOutcome(
        expectProblem(429, 'rate-limited', {
          body: { code: 'rate_limited' },
          headers: { 'ratelimit-limit': String(PLAN_LIMITS.pro.perEndUserAddress.burst), 'retry-after': /^[1-9]\d*$/ },
        }),
        expectNewEvents([
          { type: 'RateLimitExceeded', data: { limit: 'client_address', subject: expect.stringMatching(/^[A-Za-z0-9_-]{32}$/) } },
        ]),
      );
    expect(response.status).toBe(429);
    expect(JSON.stringify(newEvents.map((e) => [e.data, e.metadata]))).not.toContain(address);
    // Another end user behind the same key is not held.
    await spec
      .given()
      .when((http) => emptyRequest(http, acme.key.key, { 'x-end-user-ip': '2001:db8::23' }))
      .then(expectProblem(400, 'validation'));
  });

  it('refuses an X-End-User-IP that is not an address', async () => {
    const acme = specTenant();
    await spec
      .given(customerRegistered(acme))
      .when((http) => emptyRequest(http, acme.key.key, { 'x-end-user-ip': 'localhost' }))
      .then(expectProblem(400, 'validation', { body: { errors: [{ path: 'header.X-End-User-IP' }] } }));
  });
});

describe("the tenant's IP allowlist", () => {
  const spec = useRouteSpec({ trustProxy: true });
  const from = (address: string) => ({ 'x-forwarded-for': address });

  it.each([
    ['an IPv4 address outside an IPv4 block', ['10.0.0.0/8'], '192.0.2.10'],
    ['an IPv6 address outside an IPv6 block', ['2001:db8::/32'], '2001:db9::10'],
    ['an IPv6 address against an IPv4-only list', ['0.0.0.0/0'], '2001:db8::10'],
  ])('refuses %s with 403 ip_not_allowed', async (_what, ipAllowlist, address) => {
    const acme = specTenant();
    await spec
      .given(customerRegistered(acme), tenantConfigSet(acme, { ipAllowlist }))
      .when(requestCode(acme.key.key, 'ada@example.com', from(address)))
      .then(expectProblem(403, 'ip-not-allowed', { body: { code: 'ip_not_allowed' } }));
  });

  it.each([
    ['an IPv4 address inside', ['10.0.0.0/8', '2001:db8::/32'], '10.1.2.3'],
    ['an IPv6 address inside', ['10.0.0.0/8', '2001:db8::/32'], '2001:db8::10'],
    ['any address when the list is empty', [], '203.0.113.50'],
  ])('lets in %s', async (_what, ipAllowlist, address) => {
    const acme = specTenant();
    await spec
      .given(customerRegistered(acme), tenantConfigSet(acme, { ipAllowlist }))
      .when(requestCode(acme.key.key, 'ada@example.com', from(address)))
      .then(expectResponse(202), expectNewEvents([{ type: 'OtpRequested', metadata: { clientIp: address } }]));
  });
});

describe('failed credentials, throttled per client address', () => {
  const spec = useRouteSpec({ trustProxy: true });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Ten free failures, an eleventh that starts the first delay; then waits the delay out, fails once more, and asks again. */
  const fail = (attempt: (http: HttpCall) => Promise<SpecResponse>) => async (http: HttpCall) => {
    for (let i = 0; i < 11; i++) expect((await attempt(http)).status).toBe(401);
    const first = await attempt(http);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('1');
    await sleep(1_100);
    expect((await attempt(http)).status).toBe(401);
    return attempt(http);
  };

  it('holds an address that keeps sending bad API keys, with a growing Retry-After', async () => {
    const acme = specTenant();
    const headers = { 'x-forwarded-for': '192.0.2.201' };
    await spec
      .given(customerRegistered(acme))
      .when(
        fail((http) => http('POST', '/v1/otp/request', { token: withWrongSecret(acme.key), body: { email: 'a@example.com' }, headers })),
      )
      .then(
        expectProblem(429, 'rate-limited', {
          body: { code: 'credentials_throttled' },
          headers: { 'retry-after': '2', 'ratelimit-remaining': '0' },
        }),
      );
    // The address is held even with a real key; another address, and a success from it, change nothing for the first.
    await spec
      .given()
      .when(requestCode(acme.key.key, 'ada@example.com', { 'x-forwarded-for': '192.0.2.202' }))
      .then(expectResponse(202), expectNewEvents([{ type: 'OtpRequested' }]));
    await spec
      .given()
      .when(requestCode(acme.key.key, 'ada@example.com', headers))
      .then(expectProblem(429, 'rate-limited'));
  });

  it('holds an address that keeps sending wrong operator tokens, with a growing Retry-After', async () => {
    const headers = { 'x-forwarded-for': '2001:db8::201' };
    await spec
      .given()
      .when(fail((http) => http('GET', '/v1/admin/customers', { token: 'not-the-operator-token', headers })))
      .then(expectProblem(429, 'rate-limited', { headers: { 'retry-after': '2' } }));
  });

  it('counts the failures and the held requests on /metrics by kind', async () => {
    await spec
      .given()
      .when((http) => http('GET', '/metrics', { token: SPEC_OPERATOR_TOKEN }))
      .then(
        expectResponse(200, { text: /credential_failures_total\{kind="api_key"\} 12/ }),
        expectResponse(200, { text: /credential_failures_total\{kind="operator_token"\} 12/ }),
        expectResponse(200, { text: /credential_throttled_total\{kind="api_key"\} [1-9]/ }),
      );
  });
});
