import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseApiKey } from '@otp/contracts';
import {
  customerRegistered,
  signedUpTenant,
  signupRequested,
  signupWrongCodesTried,
  specSignup,
  specSignupEmail,
  type SpecSignup,
} from '../support/given-events';
import type { HttpCall } from '../support/http';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { CONSISTENCY_TOKEN, signupCustomerIdFor, signupEmailKeyFor, storedApiKeyHash, storedCodeHash } from '../support/spec-secrets';

/** Self-service signup (command-service/src/signup): a code to the email, then the account and its first key. */
const signUp = (body: Record<string, unknown>) => (http: HttpCall) => http('POST', '/v1/signup', { body });
const verify = (email: string, code: string, challengeId?: string) => (http: HttpCall) =>
  http('POST', '/v1/signup/verify', { body: { email, code, ...(challengeId ? { challengeId } : {}) } });
const otherCode = (code: string) => (code === '000000000' ? '111111111' : '000000000');
const signupStream = (email: string) => `signup-${signupEmailKeyFor(email)}`;
const NOT_VALID = 'the code is not valid or has expired; request a new code';
const notValid = () => [
  expectProblem(401, 'invalid-code', { body: { code: 'code_not_valid', detail: NOT_VALID } }),
  expectThat(({ response }) =>
    expect(Object.keys(response.body).sort()).toEqual(['code', 'detail', 'instance', 'status', 'title', 'type']),
  ),
];
const DEFAULT_SCOPES = ['otp:write', 'customer:admin', 'analytics:read', 'audit:read'];

describe('POST /v1/signup', () => {
  const spec = useRouteSpec();
  const mailed = (challengeId: string) => readFileSync(join(spec.app.mailboxDir, `${challengeId}.eml`), 'utf8');

  it('answers 202, records the code and the application on the signup stream, and mails the code no event holds', async () => {
    const email = specSignupEmail();
    const customerId = signupCustomerIdFor(email);
    const { response, newEvents } = await spec
      .given()
      .when(signUp({ email: email.toUpperCase(), companyName: 'Acme Ltd', plan: 'pro' }))
      .thenOutcome(
        expectResponse(202, { body: { challengeId: expect.stringMatching(/^chl_[0-9a-f]{16}$/), expiresAt: expect.any(String) } }),
        expectNewEvents([
          {
            type: 'OtpRequested',
            streamName: signupStream(email),
            data: { customerId, email, emailKey: signupEmailKeyFor(email), codeLength: 9, maxAttempts: 5 },
            metadata: { actor: 'system', tenantId: customerId },
          },
          { type: 'SignupRequested', streamName: signupStream(email), data: { customerId, companyName: 'Acme Ltd', plan: 'pro' } },
        ]),
      );
    const { challengeId } = response.body;
    const code = /sign-up code is ([0-9]{9})/.exec(mailed(challengeId))?.[1];
    expect(mailed(challengeId)).toMatch(new RegExp(`^To: ${email.replace('.', '\\.')}$`, 'm'));
    expect(newEvents[0]!.data['codeHash']).toBe(storedCodeHash(challengeId, code!));
    expect(JSON.stringify(newEvents.map((e) => [e.data, e.metadata]))).not.toContain(code);
  });

  it('answers an email that already has an account exactly as a new one, and registers nothing', async () => {
    const taken = specSignup(specSignupEmail('taken'), { minutesAgo: 30 });
    const asked = expectNewEvents([{ type: 'OtpRequested' }, { type: 'SignupRequested' }]);
    const known = await spec
      .given(customerRegistered(signedUpTenant(taken)))
      .when(signUp({ email: taken.email, companyName: 'Acme Ltd' }))
      .thenOutcome(expectResponse(202), asked);
    const fresh = await spec
      .given()
      .when(signUp({ email: specSignupEmail('fresh'), companyName: 'Acme Ltd' }))
      .thenOutcome(expectResponse(202), asked);
    expect(Object.keys(known.response.body).sort()).toEqual(Object.keys(fresh.response.body).sort());
    expect(known.response.headers.get('content-type')).toBe(fresh.response.headers.get('content-type'));
  });

  it('answers the fourth request for an email in an hour 429 with Retry-After, records it once and sends nothing', async () => {
    const email = specSignupEmail();
    const earlier = [30, 20, 10].map((minutesAgo) => specSignup(email, { minutesAgo }));
    const mailbox = () => (existsSync(spec.app.mailboxDir) ? readdirSync(spec.app.mailboxDir).length : 0);
    let before = 0;
    const counting = (http: HttpCall) => {
      before = mailbox();
      return signUp({ email, companyName: 'Acme Ltd' })(http);
    };
    const limited = [
      expectProblem(429, 'rate-limited', { body: { code: 'too_many_code_requests' }, headers: { 'retry-after': /^[0-9]+$/ } }),
      expectThat(({ response }) => {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(29 * 60);
        expect(mailbox()).toBe(before);
      }),
    ];
    await spec
      .given(...earlier.map(signupRequested))
      .when(counting)
      .then(...limited, expectNewEvents([{ type: 'OtpRateLimitExceeded', streamName: signupStream(email), data: { max: 3 } }]));
    await spec
      .given()
      .when(counting)
      .then(...limited);
  });

  it.each([
    ['no company name', { email: 'ada@signup.test' }],
    ['an empty company name', { email: 'ada@signup.test', companyName: '  ' }],
    ['the enterprise plan, which the operator arranges', { email: 'ada@signup.test', companyName: 'Acme', plan: 'enterprise' }],
    ['a malformed email', { email: 'not-an-email', companyName: 'Acme' }],
    ['an unknown field', { email: 'ada@signup.test', companyName: 'Acme', apiKey: 'please' }],
  ])('refuses %s with 400 and records nothing', (_name, body) => spec.given().when(signUp(body)).then(expectProblem(400, 'validation')));
});

describe('POST /v1/signup when the mail server is down', () => {
  const spec = useRouteSpec({ smtpUrl: 'smtp://127.0.0.1:1?tls=off' });

  it('answers 503 with Retry-After, says nothing of the code, and keeps the challenge recorded', () =>
    spec
      .given()
      .when(signUp({ email: specSignupEmail(), companyName: 'Acme Ltd' }))
      .then(
        expectProblem(503, 'email-delivery-failed', { headers: { 'retry-after': '5' } }),
        expectNewEvents([{ type: 'OtpRequested' }, { type: 'SignupRequested' }]),
        expectThat(({ response }) => expect(response.text).not.toMatch(/[0-9]{9}/)),
      ));
});

describe('POST /v1/signup/verify', () => {
  const spec = useRouteSpec();

  it('answers 201 with the customer and its first key, shown once, registered in one append under the id the email derives', async () => {
    const s = specSignup(specSignupEmail(), { companyName: 'Initech' });
    const { response, newEvents } = await spec
      .given(signupRequested(s))
      .when(verify(s.email.toUpperCase(), s.code, s.id))
      .thenOutcome(
        expectResponse(201, {
          body: {
            customer: { id: s.customerId, name: 'Initech', companyName: 'Initech', email: s.email, plan: 'free', status: 'active' },
            apiKey: { scopes: DEFAULT_SCOPES },
          },
          headers: { location: '/v1/customer', 'x-event-position': CONSISTENCY_TOKEN },
        }),
        expectNewEvents([
          { type: 'OtpVerified', streamName: signupStream(s.email), data: { challengeId: s.id } },
          {
            type: 'CustomerRegistered',
            streamName: `customer-${s.customerId}`,
            data: { customerId: s.customerId, name: 'Initech', companyName: 'Initech', email: s.email, plan: 'free' },
            metadata: { actor: 'system', tenantId: s.customerId },
          },
          { type: 'ApiKeyIssued', streamName: `customer-${s.customerId}`, data: { customerId: s.customerId, scopes: DEFAULT_SCOPES } },
        ]),
      );
    const { key, id, prefix } = response.body.apiKey;
    // The key names its customer: it cannot exist without the customer it was appended with.
    expect(parseApiKey(key)).toEqual({ customerId: s.customerId, keyId: id, prefix, kind: 'secret' });
    expect(newEvents[2]!.data['keyHash']).toBe(storedApiKeyHash(key));
    expect(JSON.stringify(newEvents.map((e) => e.data))).not.toContain(key);
    expect(response.body.customer.apiKeys).toEqual([expect.objectContaining({ id, prefix, status: 'active' })]);
  });

  it("lets the new key in at once: it reads its own customer after the verify's position", async () => {
    const s = specSignup(specSignupEmail());
    await spec
      .given(signupRequested(s))
      .when(async (http) => {
        const created = await verify(s.email, s.code)(http);
        const headers = { 'x-min-position': created.headers.get('x-event-position')! };
        return http('GET', '/v1/customer', { token: created.body.apiKey.key, headers });
      })
      .then(
        expectResponse(200, { body: { id: s.customerId, companyName: 'Acme Ltd', status: 'active' } }),
        expectNewEvents([{ type: 'OtpVerified' }, { type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }]),
      );
  });

  it('answers a wrong code with the one failure answer and counts the attempt', () => {
    const s = specSignup(specSignupEmail());
    return spec
      .given(signupRequested(s))
      .when(verify(s.email, otherCode(s.code)))
      .then(...notValid(), expectNewEvents([{ type: 'OtpVerificationFailed', data: { reason: 'wrong_code', attemptsRemaining: 4 } }]));
  });

  it('answers an expired code with the same answer, and registers nothing', () => {
    const s = specSignup(specSignupEmail(), { minutesAgo: 11 });
    return spec
      .given(signupRequested(s))
      .when(verify(s.email, s.code))
      .then(...notValid(), expectNewEvents([{ type: 'OtpVerificationFailed', data: { reason: 'expired' } }]));
  });

  it('answers a locked code with the same answer, even when right', () => {
    const s = specSignup(specSignupEmail());
    return spec
      .given(signupRequested(s), signupWrongCodesTried(s, 5))
      .when(verify(s.email, s.code))
      .then(...notValid(), expectNewEvents([{ type: 'OtpVerificationFailed', data: { reason: 'locked' } }]));
  });

  it('answers an email that asked for no signup code the same way, recording nothing', () =>
    spec
      .given()
      .when(verify(specSignupEmail(), '123456789'))
      .then(...notValid()));

  it('answers the same code twice with the failure answer the second time: one customer, one key', async () => {
    const s = specSignup(specSignupEmail());
    await spec
      .given(signupRequested(s))
      .when(verify(s.email, s.code))
      .then(expectResponse(201), expectNewEvents([{ type: 'OtpVerified' }, { type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }]));
    await spec
      .given()
      .when(verify(s.email, s.code))
      .then(...notValid(), expectNewEvents([{ type: 'OtpVerificationFailed', data: { reason: 'already_used' } }]));
  });

  it('answers a new right code for an email that has its account 409, with no second customer and no second key', () => {
    const first = specSignup(specSignupEmail(), { minutesAgo: 30 });
    const again = specSignup(first.email);
    return spec
      .given(customerRegistered(signedUpTenant(first)), signupRequested(again))
      .when(verify(again.email, again.code, again.id))
      .then(
        expectProblem(409, 'signup-already-completed', { body: { code: 'signup_already_completed' } }),
        expectThat(({ response }) => expect(response.text).not.toMatch(/ok_live_/)),
        // The code is used up: the account holder learnt what it asked, and nothing else changed.
        expectNewEvents([{ type: 'OtpVerified', streamName: signupStream(first.email) }]),
      );
  });

  it('holds verifications 429 with Retry-After after 20 wrong codes in a row, comparing nothing', () => {
    const email = specSignupEmail('eve');
    const guessed = [4, 3, 2, 1].map((minutesAgo) => specSignup(email, { minutesAgo: minutesAgo / 100 }));
    const owner = specSignup(email);
    return spec
      .given(...guessed.flatMap((s) => [signupRequested(s), signupWrongCodesTried(s, 5)]), signupRequested(owner))
      .when(verify(owner.email, owner.code, owner.id))
      .then(expectProblem(429, 'rate-limited', { body: { code: 'verification_delayed' }, headers: { 'retry-after': /^(2[0-9]|30)$/ } }));
  });

  it.each([
    ['a code of letters', { email: 'ada@signup.test', code: 'abcdefghi' }],
    ['a malformed challenge id', { email: 'ada@signup.test', code: '123456789', challengeId: 'chl_nope' }],
    ['no email', { code: '123456789' }],
    ['an unknown field', { email: 'ada@signup.test', code: '123456789', companyName: 'Acme' }],
  ])('refuses %s with 400 and records nothing', (_name, body) =>
    spec
      .given()
      .when((http) => http('POST', '/v1/signup/verify', { body }))
      .then(expectProblem(400, 'validation')),
  );

  describe('racing verifies', () => {
    const registrations = <E extends { type: string }>(events: E[]) =>
      events.filter((e) => e.type === 'CustomerRegistered' || e.type === 'ApiKeyIssued');

    it('gives two concurrent verifies of one code exactly one customer and one key; the other gets the failure answer', async () => {
      const s = specSignup(specSignupEmail());
      const { response, newEvents } = await spec
        .given(signupRequested(s))
        .when(async (http) => {
          const answers = await Promise.all([verify(s.email, s.code)(http), verify(s.email, s.code)(http)]);
          expect(answers.map((a) => a.status).sort()).toEqual([201, 401]);
          return answers.find((a) => a.status === 201)!;
        })
        .thenOutcome(
          expectResponse(201),
          expectNewEvents([
            { type: 'OtpVerified' },
            { type: 'OtpVerificationFailed', data: { reason: 'already_used' } },
            { type: 'CustomerRegistered' },
            { type: 'ApiKeyIssued' },
          ]),
        );
      expect(registrations(newEvents).map((e) => e.streamName)).toEqual([`customer-${s.customerId}`, `customer-${s.customerId}`]);
      expect(response.body.customer.id).toBe(s.customerId);
    });

    it('gives two concurrent verifies of two right codes for one email one customer and one key; the other 409', async () => {
      const email = specSignupEmail();
      const codes: SpecSignup[] = [specSignup(email, { code: '111111111' }), specSignup(email, { code: '222222222' })];
      const { newEvents } = await spec
        .given(...codes.map(signupRequested))
        .when(async (http) => {
          const answers = await Promise.all(codes.map((c) => verify(c.email, c.code, c.id)(http)));
          expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
          return answers.find((a) => a.status === 409)!;
        })
        .thenOutcome(
          expectProblem(409, 'signup-already-completed'),
          expectThat(({ newEvents }) => expect(newEvents.filter((e) => e.type === 'OtpVerified')).toHaveLength(2)),
          expectNewEvents([{ type: 'OtpVerified' }, { type: 'OtpVerified' }, { type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }]),
        );
      expect(registrations(newEvents)).toHaveLength(2);
    });
  });
});
