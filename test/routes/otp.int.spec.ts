import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
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
import type { HttpCall } from '../support/http';
import { SPEC_ACCESS_TOKEN_TTL_SECONDS, SPEC_ISSUER } from '../support/route-app';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec, type RequestOptions } from '../support/route-spec';
import { CONSISTENCY_TOKEN, emailKeyFor, specConsistency, storedCodeHash } from '../support/spec-secrets';

/** The OTP routes of command-service/src/otp: a tenant's app asks for a code, then verifies it. */
const requestCode = (token: string, email: string) => (http: HttpCall) => http('POST', '/v1/otp/request', { token, body: { email } });
const verifyCode =
  (token: string, email: string, code: string, headers: Record<string, string> = {}) =>
  (http: HttpCall) =>
    http('POST', '/v1/otp/verify', { token, body: { email, code }, headers });
const verifyNamed = (token: string, email: string, code: string, challengeId: string) => (http: HttpCall) =>
  http('POST', '/v1/otp/verify', { token, body: { email, code, challengeId } });
const otherCode = (code: string) => (code === '000000000' ? '111111111' : '000000000');
const NOT_VALID = 'the code is not valid or has expired; request a new code';
// Every failed verification gets this one answer, so none says whether the email has a code, a user or a lock.
const notValid = () => [
  expectProblem(401, 'invalid-code', { body: { code: 'code_not_valid', detail: NOT_VALID } }),
  expectThat(({ response }) =>
    expect(Object.keys(response.body).sort()).toEqual(['code', 'detail', 'instance', 'status', 'title', 'type']),
  ),
];

describe('POST /v1/otp/request', () => {
  const spec = useRouteSpec();
  const mailed = (challengeId: string) => readFileSync(join(spec.app.mailboxDir, `${challengeId}.eml`), 'utf8');

  it("records a challenge on the email's stream and mails the code, which no event holds", async () => {
    const acme = specTenant();
    const emailKey = emailKeyFor(acme.id, 'ada@example.com');
    const { response, newEvents } = await spec
      .given(customerRegistered(acme))
      .when(requestCode(acme.key.key, 'Ada@Example.COM'))
      .thenOutcome(
        expectResponse(202, {
          body: { challengeId: expect.stringMatching(/^chl_[0-9a-f]{16}$/) },
          headers: { 'x-event-position': CONSISTENCY_TOKEN },
        }),
        expectNewEvents([
          {
            type: 'OtpRequested',
            streamName: `otp-${acme.id}.${emailKey}`,
            data: { customerId: acme.id, email: 'ada@example.com', emailKey, codeLength: 9, maxAttempts: 5 },
            metadata: { actor: `apiKey:${acme.key.id}`, tenantId: acme.id },
          },
        ]),
      );
    const { challengeId, expiresAt } = response.body;
    const requested = newEvents[0]!;
    expect(requested.data).toMatchObject({ challengeId, expiresAt });
    expect(Date.parse(expiresAt) - Date.parse(String(requested.data['requestedAt']))).toBe(600_000);
    expect(requested.metadata['requestId']).toBe(response.headers.get('x-request-id'));
    const message = mailed(challengeId);
    expect(message).toMatch(/^To: ada@example\.com$/m);
    const code = /sign-in code is ([0-9]{9})/.exec(message)?.[1];
    expect(code).toBeDefined();
    expect(requested.data['codeHash']).toBe(storedCodeHash(challengeId, code!));
    expect(JSON.stringify([requested.data, requested.metadata])).not.toContain(code);
  });

  it('answers an email nobody logged in with exactly like a known one', async () => {
    const acme = specTenant();
    const known = specChallenge(acme, 'ada@example.com', { minutesAgo: 30 });
    const asked = expectNewEvents([{ type: 'OtpRequested' }]);
    const first = await spec
      .given(customerRegistered(acme), otpRequested(known), loggedIn(known, specUserId()))
      .when(requestCode(acme.key.key, 'ada@example.com'))
      .thenOutcome(expectResponse(202), asked);
    const second = await spec.given().when(requestCode(acme.key.key, 'nobody@example.com')).thenOutcome(expectResponse(202), asked);
    expect(second.response.status).toBe(first.response.status);
    expect(Object.keys(second.response.body).sort()).toEqual(Object.keys(first.response.body).sort());
  });

  // A lock holds back only its own code: otherwise five wrong codes from anyone keep the owner out.
  it('gives a new code at once after a lock', () => {
    const acme = specTenant();
    const locked = specChallenge(acme, 'mallory@example.com', { minutesAgo: 1 });
    return spec
      .given(customerRegistered(acme), otpRequested(locked), wrongCodesTried(locked, 5))
      .when(requestCode(acme.key.key, 'mallory@example.com'))
      .then(expectResponse(202), expectNewEvents([{ type: 'OtpRequested', data: { email: 'mallory@example.com' } }]));
  });

  it('answers the fourth request in an hour 429 with Retry-After, records it once and sends nothing', async () => {
    const acme = specTenant();
    const earlier = [30, 20, 10].map((minutesAgo) => specChallenge(acme, 'ada@example.com', { minutesAgo }));
    const mailbox = () => (existsSync(spec.app.mailboxDir) ? readdirSync(spec.app.mailboxDir).length : 0);
    let before = 0;
    const retryAfter = expectThat(({ response }) => {
      const seconds = Number(response.headers.get('retry-after'));
      expect(seconds).toBeGreaterThan(29 * 60);
      expect(seconds).toBeLessThanOrEqual(30 * 60);
      expect(mailbox()).toBe(before);
    });
    const countingMail = (http: HttpCall) => {
      before = mailbox();
      return requestCode(acme.key.key, 'ada@example.com')(http);
    };
    await spec
      .given(customerRegistered(acme), ...earlier.map(otpRequested))
      .when(countingMail)
      .thenOutcome(
        expectProblem(429, 'rate-limited', {
          body: { code: 'too_many_code_requests' },
          headers: { 'ratelimit-limit': '3', 'ratelimit-remaining': '0', 'ratelimit-reset': /^[1-9]\d*$/ },
        }),
        retryAfter,
        expectNewEvents([{ type: 'OtpRateLimitExceeded', data: { limit: 'perEmailPerHour', max: 3 } }]),
      );
    // The fifth is refused the same way and records nothing more.
    await spec
      .given()
      .when(countingMail)
      .then(expectProblem(429, 'rate-limited', { body: { code: 'too_many_code_requests' } }), retryAfter);
  });

  it('gives a new code once the locked one has expired', () => {
    const acme = specTenant();
    const locked = specChallenge(acme, 'mallory@example.com', { minutesAgo: 11 });
    return spec
      .given(customerRegistered(acme), otpRequested(locked), wrongCodesTried(locked, 5))
      .when(requestCode(acme.key.key, 'mallory@example.com'))
      .then(expectResponse(202), expectNewEvents([{ type: 'OtpRequested', data: { email: 'mallory@example.com' } }]));
  });

  it.each<[string, (tenant: SpecTenant, other: SpecApiKey) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ['a malformed key', () => ({ token: 'sk_live_nope' }), 401, 'invalid-api-key'],
    ['a key with a wrong secret', (tenant) => ({ token: withWrongSecret(tenant.key) }), 401, 'invalid-api-key'],
    ['a key without otp:write', (_tenant, analyst) => ({ token: analyst.key }), 403, 'insufficient-scope'],
  ])('refuses %s', (_name, auth, status, type) => {
    const acme = specTenant();
    const analyst = specApiKey(acme.id, ['analytics:read']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, analyst))
      .when((http) => http('POST', '/v1/otp/request', { ...auth(acme, analyst), body: { email: 'a@b.test' } }))
      .then(expectProblem(status, type));
  });

  it.each([
    ['malformed JSON', { rawBody: '{"email":' }, 400, 'malformed-json'],
    ['a wrong type', { body: { email: 42 } }, 400, 'validation'],
    ['an unknown field', { body: { email: 'a@b.test', admin: true } }, 400, 'validation'],
    ['an invalid email', { body: { email: 'not-an-email' } }, 400, 'validation'],
    ['a URL where the domain goes', { body: { email: 'a@bü.test/x' } }, 400, 'validation'],
    ['no body', {}, 400, 'validation'],
    ['an oversized body', { body: { email: `${'a'.repeat(20_000)}@b.test` } }, 413, 'payload-too-large'],
    [
      'a body that is not JSON',
      { rawBody: 'email=a@b.test', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported-media-type',
    ],
  ])('refuses %s', (_name, request, status, type) => {
    const tenant = specTenant();
    return spec
      .given(customerRegistered(tenant))
      .when((http) => http('POST', '/v1/otp/request', { token: tenant.key.key, ...request }))
      .then(expectProblem(status, type));
  });
});

describe('POST /v1/otp/request when the mail server is down', () => {
  // Nothing listens on port 1 of the loopback: a real connection, refused at once.
  const spec = useRouteSpec({ smtpUrl: 'smtp://127.0.0.1:1?tls=off' });

  it('answers 503 with Retry-After, says nothing of the code, and keeps the challenge recorded', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(requestCode(acme.key.key, 'bob@example.com'))
      .then(
        expectProblem(503, 'email-delivery-failed', { headers: { 'retry-after': '5' } }),
        expectNewEvents([
          { type: 'OtpRequested', data: { email: 'bob@example.com' } },
          { type: 'EmailFailed', data: { provider: 'smtp', purpose: 'otp', reason: 'unavailable' } },
        ]),
        expectThat(({ response }) => expect(response.text).not.toMatch(/[0-9]{9}/)),
      );
  });
});

describe('POST /v1/otp/verify', () => {
  const spec = useRouteSpec();

  it('signs tokens for the right code and records the login: challenge verified, new user, login, session', async () => {
    const acme = specTenant();
    const c = specChallenge(acme, 'ada.lovelace@example.com');
    const { response, newEvents } = await spec
      .given(customerRegistered(acme), otpRequested(c))
      .when(verifyCode(acme.key.key, 'Ada.Lovelace@Example.com', c.code))
      .thenOutcome(
        expectResponse(200, {
          body: {
            tokenType: 'Bearer',
            expiresIn: SPEC_ACCESS_TOKEN_TTL_SECONDS,
            refreshToken: expect.stringMatching(/^rt_/),
            user: { id: expect.stringMatching(/^usr_/), email: 'ada.lovelace@example.com' },
          },
          headers: { 'x-event-position': CONSISTENCY_TOKEN, 'cache-control': 'no-store' },
        }),
        expectNewEvents([
          { type: 'OtpVerified', data: { challengeId: c.id, newUser: true } },
          {
            type: 'UserCreated',
            data: { customerId: acme.id, email: 'ada.lovelace@example.com', emailKey: emailKeyFor(acme.id, c.email) },
          },
          { type: 'UserLoggedIn', data: { challengeId: c.id } },
          { type: 'SessionStarted', data: { customerId: acme.id } },
        ]),
      );
    const { user, accessToken, refreshToken } = response.body;
    expect(newEvents.map((e) => e.data['userId'])).toEqual([user.id, user.id, user.id, user.id]);
    expect(specConsistency.open(acme.id, response.headers.get('x-event-position')!)).toBe(newEvents.at(-1)!.position);
    expect(JSON.stringify(newEvents.map((e) => [e.data, e.metadata]))).not.toContain(refreshToken);

    const jwks = createLocalJWKSet((await spec.http('GET', '/.well-known/jwks.json')).body);
    const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, { audience: acme.id, issuer: SPEC_ISSUER });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: user.id, email: 'ada.lovelace@example.com', sid: newEvents[3]!.data['sessionId'] });
  });

  it('logs a known email in as the same user, with no second UserCreated', () => {
    const acme = specTenant();
    const userId = specUserId();
    const first = specChallenge(acme, 'ada@example.com', { minutesAgo: 60, code: '111222333' });
    const second = specChallenge(acme, 'ada@example.com', { code: '444555666' });
    return spec
      .given(customerRegistered(acme), otpRequested(first), loggedIn(first, userId), otpRequested(second))
      .when(verifyCode(acme.key.key, 'ada@example.com', second.code))
      .then(
        expectResponse(200, { body: { user: { id: userId } } }),
        expectNewEvents([
          { type: 'OtpVerified', data: { userId, newUser: false } },
          { type: 'UserLoggedIn', data: { userId } },
          { type: 'SessionStarted', data: { userId } },
        ]),
      );
  });

  it('gives each access token an id of its own, whatever request id the client sends', async () => {
    const acme = specTenant();
    const one = specChallenge(acme, 'one@example.com');
    const two = specChallenge(acme, 'two@example.com');
    const clientRequestId = { 'x-request-id': 'client-chosen-id-1' };
    const first = await spec
      .given(customerRegistered(acme), otpRequested(one), otpRequested(two))
      .when(verifyCode(acme.key.key, one.email, one.code, clientRequestId))
      .thenOutcome(
        expectResponse(200, { headers: { 'x-request-id': 'client-chosen-id-1' } }),
        expectNewEvents([{ type: 'OtpVerified' }, { type: 'UserCreated' }, { type: 'UserLoggedIn' }, { type: 'SessionStarted' }]),
      );
    const second = await spec
      .given()
      .when(verifyCode(acme.key.key, two.email, two.code, clientRequestId))
      .thenOutcome(
        expectResponse(200),
        expectNewEvents([{ type: 'OtpVerified' }, { type: 'UserCreated' }, { type: 'UserLoggedIn' }, { type: 'SessionStarted' }]),
      );
    const jtis = [decodeJwt(first.response.body.accessToken).jti, decodeJwt(second.response.body.accessToken).jti];
    expect(jtis[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(jtis[1]).not.toBe(jtis[0]);
    expect(jtis).not.toContain('client-chosen-id-1');
  });

  it.each([0, 1, 2, 3])('refuses a wrong code after %i wrong ones with the one answer, counting the try', (tried) => {
    const acme = specTenant();
    const c = specChallenge(acme, 'eve@example.com');
    return spec
      .given(customerRegistered(acme), otpRequested(c), wrongCodesTried(c, tried))
      .when(verifyCode(acme.key.key, c.email, otherCode(c.code)))
      .then(
        ...notValid(),
        expectNewEvents([
          { type: 'OtpVerificationFailed', data: { challengeId: c.id, reason: 'wrong_code', attemptsRemaining: 4 - tried } },
        ]),
      );
  });

  it('locks the challenge at the fifth wrong code', () => {
    const acme = specTenant();
    const c = specChallenge(acme, 'eve@example.com');
    return spec
      .given(customerRegistered(acme), otpRequested(c), wrongCodesTried(c, 4))
      .when(verifyCode(acme.key.key, c.email, otherCode(c.code)))
      .then(
        ...notValid(),
        expectNewEvents([
          { type: 'OtpVerificationFailed', data: { reason: 'wrong_code', attemptsRemaining: 0 } },
          { type: 'OtpChallengeLocked', data: { challengeId: c.id } },
        ]),
      );
  });

  it('refuses even the right code once the challenge is locked, and counts the try', () => {
    const acme = specTenant();
    const c = specChallenge(acme, 'eve@example.com', { minutesAgo: 1 });
    return spec
      .given(customerRegistered(acme), otpRequested(c), wrongCodesTried(c, 5))
      .when(verifyCode(acme.key.key, c.email, c.code))
      .then(...notValid(), expectNewEvents([{ type: 'OtpVerificationFailed', data: { reason: 'locked', attemptsRemaining: 0 } }]));
  });

  it.each([
    ['an expired code', { minutesAgo: 10 }, false, 'expired'],
    ['a code already used', { minutesAgo: 1 }, true, 'already_used'],
  ])('refuses %s with the answer a wrong email gets, and counts the try', (_name, age, used, reason) => {
    const acme = specTenant();
    const c = specChallenge(acme, 'ada@example.com', age);
    return spec
      .given(customerRegistered(acme), otpRequested(c), used ? loggedIn(c, specUserId()) : [])
      .when(verifyCode(acme.key.key, c.email, c.code))
      .then(...notValid(), expectNewEvents([{ type: 'OtpVerificationFailed', data: { challengeId: c.id, reason } }]));
  });

  it('refuses an email with no code requested with the same answer, recording nothing', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(verifyCode(acme.key.key, 'nobody@example.com', '123456789'))
      .then(...notValid());
  });

  it('verifies an older pending code that names its challenge, leaving the newer one pending', () => {
    const acme = specTenant();
    const older = specChallenge(acme, 'ada@example.com', { minutesAgo: 2, code: '111222333' });
    const newer = specChallenge(acme, 'ada@example.com', { minutesAgo: 1, code: '444555666' });
    return spec
      .given(customerRegistered(acme), otpRequested(older), otpRequested(newer))
      .when(verifyNamed(acme.key.key, older.email, older.code, older.id))
      .then(
        expectResponse(200),
        expectNewEvents([
          { type: 'OtpVerified', data: { challengeId: older.id } },
          { type: 'UserCreated' },
          { type: 'UserLoggedIn' },
          { type: 'SessionStarted' },
        ]),
      );
  });

  it("never verifies one challenge's code named as another, and counts it against the named one only", () => {
    const acme = specTenant();
    const mine = specChallenge(acme, 'ada@example.com', { minutesAgo: 2, code: '111222333' });
    const other = specChallenge(acme, 'ada@example.com', { minutesAgo: 1, code: '444555666' });
    return spec
      .given(customerRegistered(acme), otpRequested(mine), otpRequested(other))
      .when(verifyNamed(acme.key.key, mine.email, mine.code, other.id))
      .then(
        ...notValid(),
        expectNewEvents([{ type: 'OtpVerificationFailed', data: { challengeId: other.id, reason: 'wrong_code', attemptsRemaining: 4 } }]),
      );
  });

  it.each([
    ['another email', 'bob@example.com'],
    ['an email with no code', 'nobody@example.com'],
  ])('refuses a challenge id of %s with the one answer, recording nothing', (_name, email) => {
    const acme = specTenant();
    const ada = specChallenge(acme, 'ada@example.com');
    const bob = specChallenge(acme, 'bob@example.com', { code: '987654321' });
    return spec
      .given(customerRegistered(acme), otpRequested(ada), otpRequested(bob))
      .when(verifyNamed(acme.key.key, email, ada.code, ada.id))
      .then(...notValid());
  });

  it('refuses a malformed challenge id as a validation error', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(verifyNamed(acme.key.key, 'ada@example.com', '123456789', 'not-a-challenge'))
      .then(expectProblem(400, 'validation'));
  });

  it('holds verifications for an email 429 with Retry-After after 20 wrong codes in a row, comparing nothing', () => {
    const acme = specTenant();
    const guessed = [4, 3, 2, 1].map((minutesAgo) => specChallenge(acme, 'eve@example.com', { minutesAgo: minutesAgo / 100 }));
    const owner = specChallenge(acme, 'eve@example.com');
    return spec
      .given(customerRegistered(acme), ...guessed.flatMap((c) => [otpRequested(c), ...wrongCodesTried(c, 5)]), otpRequested(owner))
      .when(verifyNamed(acme.key.key, owner.email, owner.code, owner.id))
      .then(
        expectProblem(429, 'rate-limited', {
          body: { code: 'verification_delayed' },
          headers: { 'retry-after': /^(2[0-9]|30)$/, 'ratelimit-limit': '100', 'ratelimit-remaining': '0' },
        }),
      );
  });

  it("refuses a code sent through another tenant's key", () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    const c = specChallenge(acme, 'shared@example.com');
    return spec
      .given(customerRegistered(acme), customerRegistered(globex), otpRequested(c))
      .when(verifyCode(globex.key.key, c.email, c.code))
      .then(expectProblem(401, 'invalid-code'));
  });

  it.each<[string, (tenant: SpecTenant, other: SpecApiKey) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ['a malformed key', () => ({ token: 'sk_live_nope' }), 401, 'invalid-api-key'],
    ['a key with a wrong secret', (tenant) => ({ token: withWrongSecret(tenant.key) }), 401, 'invalid-api-key'],
    ['a key without otp:write', (_tenant, analyst) => ({ token: analyst.key }), 403, 'insufficient-scope'],
  ])('refuses %s', (_name, auth, status, type) => {
    const acme = specTenant();
    const analyst = specApiKey(acme.id, ['analytics:read']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, analyst))
      .when((http) => http('POST', '/v1/otp/verify', { ...auth(acme, analyst), body: { email: 'a@b.test', code: '123456789' } }))
      .then(expectProblem(status, type));
  });

  it.each([
    ['a code of letters', { body: { email: 'a@b.test', code: 'abcdefghi' } }, 400, 'validation'],
    ['a code too short', { body: { email: 'a@b.test', code: '12345' } }, 400, 'validation'],
    ['a code as a number', { body: { email: 'a@b.test', code: 123456789 } }, 400, 'validation'],
    ['a missing code', { body: { email: 'a@b.test' } }, 400, 'validation'],
    ['an unknown field', { body: { email: 'a@b.test', code: '123456789', remember: true } }, 400, 'validation'],
    ['malformed JSON', { rawBody: '{"email":"a@b.test","code":' }, 400, 'malformed-json'],
    ['an oversized body', { body: { email: 'a@b.test', code: '1'.repeat(20_000) } }, 413, 'payload-too-large'],
    [
      'a body that is not JSON',
      { rawBody: 'code=123456789', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported-media-type',
    ],
  ])('refuses %s', (_name, request, status, type) => {
    const tenant = specTenant();
    const c = specChallenge(tenant, 'a@b.test');
    return spec
      .given(customerRegistered(tenant), otpRequested(c))
      .when((http) => http('POST', '/v1/otp/verify', { token: tenant.key.key, ...request }))
      .then(expectProblem(status, type));
  });
});
