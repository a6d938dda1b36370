import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SignupLimitsEnv } from '@otp/command-service';
import { loadConfig } from '@otp/platform/config';
import { customerRegistered, signupRequested, specSignup, specSignupEmail, specTenant } from '../support/given-events';
import type { HttpCall } from '../support/http';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { SPEC_OPERATOR_TOKEN } from '../support/spec-secrets';

/**
 * The signup routes' budgets per client network and the failure record their codes count in
 * (command-service/src/signup/signup-routes.ts, platform/src/auth/request-guard.ts). The
 * answers and refusals of the routes themselves are in signup.int.spec.ts.
 */
const DEPLOYMENT_DEFAULTS = loadConfig(z.object(SignupLimitsEnv), {});
const from = (address: string) => ({ 'x-forwarded-for': address });
const signUp = (headers: Record<string, string>) => (http: HttpCall) =>
  http('POST', '/v1/signup', { body: { email: specSignupEmail(), companyName: 'Acme Ltd' }, headers });
const verify =
  (headers: Record<string, string>, email = specSignupEmail(), code = '000000000') =>
  (http: HttpCall) =>
    http('POST', '/v1/signup/verify', { body: { email, code }, headers });
/** `times` requests before the case's own, whose events are not the case's. */
const spend = async (
  http: HttpCall,
  times: number,
  request: (headers: Record<string, string>) => (http: HttpCall) => unknown,
  address: string,
) => {
  for (let i = 0; i < times; i++) await request(from(address))(http);
};
const numberIn = (low: number, high: number) => (value: string | null) =>
  expect(Number(value)).toSatisfy((n: number) => n >= low && n <= high);

describe('the signup budget per client network, at the deployment defaults', () => {
  const spec = useRouteSpec({ trustProxy: true, signupLimits: DEPLOYMENT_DEFAULTS });
  const mailbox = () => (existsSync(spec.app.mailboxDir) ? readdirSync(spec.app.mailboxDir).length : 0);
  const aCodeEvery = 3600 / 10;

  it("shows the address's budget on an accepted signup", () =>
    spec
      .given()
      .when(signUp(from('192.0.2.10')))
      .then(
        expectResponse(202, {
          headers: { 'ratelimit-limit': '5', 'ratelimit-remaining': '4', 'ratelimit-reset': String(aCodeEvery), 'retry-after': null },
        }),
        expectNewEvents([{ type: 'OtpRequested', metadata: { clientIp: '192.0.2.10' } }, { type: 'SignupRequested' }]),
      ));

  it('refuses the sixth signup of a burst from one address 429 with Retry-After and RateLimit-*, mails nothing and appends nothing', async () => {
    await spend(spec.http, 5, signUp, '192.0.2.11');
    const mailed = mailbox();
    await spec
      .given()
      .when(signUp(from('192.0.2.11')))
      .then(
        expectProblem(429, 'rate-limited', {
          body: { code: 'rate_limited' },
          headers: { 'ratelimit-limit': '5', 'ratelimit-remaining': '0' },
        }),
        expectThat(({ response }) => {
          numberIn(aCodeEvery - 60, aCodeEvery)(response.headers.get('retry-after'));
          numberIn(5 * aCodeEvery - 60, 5 * aCodeEvery)(response.headers.get('ratelimit-reset'));
          expect(mailbox()).toBe(mailed);
        }),
      );
    await spec
      .given()
      .when((http) => http('GET', '/metrics', { token: SPEC_OPERATOR_TOKEN }))
      .then(expectResponse(200, { text: /rate_limited_total\{limit="signup"\} [1-9]/ }));
  });

  it("keeps two addresses apart: one address's spent budget leaves another's whole", async () => {
    await spend(spec.http, 6, signUp, '192.0.2.12');
    await spec
      .given()
      .when(signUp(from('192.0.2.13')))
      .then(
        expectResponse(202, { headers: { 'ratelimit-remaining': '4' } }),
        expectNewEvents([{ type: 'OtpRequested' }, { type: 'SignupRequested' }]),
      );
  });

  it('counts an IPv6 client by its /64: a fresh address in the same network is the same client, another network is not', async () => {
    for (let i = 1; i <= 5; i++) await signUp(from(`2001:db8:1:2::${i}`))(spec.http);
    await spec
      .given()
      .when(signUp(from('2001:db8:1:2:ffff::99')))
      .then(expectProblem(429, 'rate-limited', { body: { code: 'rate_limited' } }));
    await spec
      .given()
      .when(signUp(from('2001:db8:1:3::1')))
      .then(expectResponse(202), expectNewEvents([{ type: 'OtpRequested' }, { type: 'SignupRequested' }]));
  });

  it('gives verifications a budget of their own: a spent signup budget leaves the address its codes to type', async () => {
    await spend(spec.http, 6, signUp, '192.0.2.14');
    const s = specSignup(specSignupEmail());
    await spec
      .given(signupRequested(s))
      .when(verify(from('192.0.2.14'), s.email, s.code))
      .then(
        expectResponse(201, { headers: { 'ratelimit-limit': '10', 'ratelimit-remaining': '9', 'retry-after': null } }),
        expectNewEvents([{ type: 'OtpVerified' }, { type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }]),
      );
  });

  it('refuses the eleventh verification of a burst from one address 429, before any code is compared', async () => {
    await spend(spec.http, 10, verify, '192.0.2.15');
    const s = specSignup(specSignupEmail());
    await spec
      .given(signupRequested(s))
      .when(verify(from('192.0.2.15'), s.email, s.code))
      .then(
        expectProblem(429, 'rate-limited', {
          body: { code: 'rate_limited' },
          headers: { 'ratelimit-limit': '10', 'ratelimit-remaining': '0' },
        }),
        expectThat(({ response }) => numberIn(3600 / 30 - 60, 3600 / 30)(response.headers.get('retry-after'))),
      );
  });
});

describe('the signup budget behind a proxy the server does not trust', () => {
  const spec = useRouteSpec({ signupLimits: DEPLOYMENT_DEFAULTS });

  it('ignores X-Forwarded-For: every request is the socket address, so a forged header buys no fresh budget', async () => {
    for (let i = 1; i <= 5; i++) await signUp(from(`198.51.100.${i}`))(spec.http);
    await spec
      .given()
      .when(signUp(from('198.51.100.99')))
      .then(expectProblem(429, 'rate-limited', { body: { code: 'rate_limited' }, headers: { 'ratelimit-remaining': '0' } }));
  });
});

describe('failed signup codes, in the failure record per address that API keys count in', () => {
  const spec = useRouteSpec({ trustProxy: true });

  it('holds an address after ten free failed codes, for its API keys too, before its next code is compared', async () => {
    const address = '192.0.2.40';
    const [tried, owner] = [specSignup(specSignupEmail()), specSignup(specSignupEmail())];
    const acme = specTenant();
    await spec
      .given(signupRequested(tried), signupRequested(owner), customerRegistered(acme))
      .when(async (http) => {
        // A wrong code for a real signup, and codes for emails that asked for none: one answer, one count each.
        expect((await verify(from(address), tried.email)(http)).status).toBe(401);
        for (let i = 0; i < 10; i++) expect((await verify(from(address))(http)).status).toBe(401);
        const key = await http('POST', '/v1/otp/request', {
          token: acme.key.key,
          body: { email: 'ada@example.com' },
          headers: from(address),
        });
        expect([key.status, key.body.code]).toEqual([429, 'credentials_throttled']);
        return verify(from(address), owner.email, owner.code)(http);
      })
      .then(
        expectProblem(429, 'rate-limited', {
          body: { code: 'credentials_throttled' },
          headers: { 'retry-after': '1', 'ratelimit-remaining': '0' },
        }),
        expectNewEvents([{ type: 'OtpVerificationFailed', data: { reason: 'wrong_code' } }]),
      );
    // Held by its own failures only: the right code from another address registers the customer.
    await spec
      .given()
      .when(verify(from('192.0.2.41'), owner.email, owner.code))
      .then(expectResponse(201), expectNewEvents([{ type: 'OtpVerified' }, { type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }]));
  });

  it('counts them on /metrics as signup codes', () =>
    spec
      .given()
      .when((http) => http('GET', '/metrics', { token: SPEC_OPERATOR_TOKEN }))
      .then(
        expectResponse(200, { text: /credential_failures_total\{kind="signup_code"\} 11/ }),
        expectResponse(200, { text: /credential_throttled_total\{kind="signup_code"\} 1/ }),
      ));
});
