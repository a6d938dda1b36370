import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TENANT_SECRETS_PURPOSE } from '@otp/command-service';
import { derivedKey, sealSecret } from '@otp/platform/crypto';
import { createLogger } from '@otp/platform/logging';
import { customerRegistered, specTenant, tenantConfigWith, type SpecTenant } from '../support/given-events';
import type { HttpCall } from '../support/http';
import { startResendServer, type ResendServer } from '../support/resend-server';
import { SPEC_SIGNING_KEY_ENCRYPTION_KEY, type RouteAppOptions } from '../support/route-app';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { CONSISTENCY_TOKEN } from '../support/spec-secrets';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

/**
 * Each tenant's codes leave through the provider its config names: the deployment's SMTP relay,
 * or Resend with the tenant's own key (sealed in its config), here a local server that checks
 * each request as Resend documents it. Every send records its outcome on the challenge's stream.
 */
const ACME_KEY = 're_acme_0123456789abcdefghijklmnopqrst';
const GLOBEX_KEY = 're_globex_0123456789abcdefghijklmnopq';
const REFUSED = 'nobody@refused.example';

/** What the config engineer's PUT stores: the key sealed for this tenant under the tenant-secrets key. */
const onResend = (tenant: SpecTenant, apiKey: string) =>
  tenantConfigWith(tenant, (config) => ({
    ...config,
    email: {
      ...config.email,
      provider: {
        kind: 'resend',
        apiKeySealed: sealSecret(derivedKey(SPEC_SIGNING_KEY_ENCRYPTION_KEY, TENANT_SECRETS_PURPOSE), tenant.id, apiKey),
      },
    },
  }));
const requestCode = (token: string, email: string) => (http: HttpCall) => http('POST', '/v1/otp/request', { token, body: { email } });

describe('email delivery per tenant', () => {
  let resend: ResendServer;
  let relay: SmtpSink;
  const logs: string[] = [];
  // Filled in before the app starts (this beforeAll runs before the spec's own).
  const options: RouteAppOptions = {
    logger: createLogger({
      level: 'info',
      destination: new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs.push(chunk.toString());
          done();
        },
      }),
    }),
  };
  beforeAll(async () => {
    resend = await startResendServer([ACME_KEY, GLOBEX_KEY]);
    relay = await startSmtpSink({ refuse: [REFUSED] });
    options.smtpUrl = relay.url;
    options.resend = { baseUrl: resend.baseUrl, timeoutMs: 500 };
  });
  afterAll(async () => {
    await resend.close();
    await relay.close();
  });
  const spec = useRouteSpec(options);
  const logText = () => logs.join('');

  it("sends a Resend tenant's code with its own key, records EmailSent, and the code verifies", async () => {
    const acme = specTenant('Acme');
    const { response } = await spec
      .given(customerRegistered(acme), onResend(acme, ACME_KEY))
      .when(requestCode(acme.key.key, 'Ada@Example.com'))
      .thenOutcome(
        expectResponse(202, { headers: { 'x-event-position': CONSISTENCY_TOKEN } }),
        expectNewEvents([
          { type: 'OtpRequested', data: { email: 'ada@example.com' } },
          { type: 'EmailSent', data: { customerId: acme.id, purpose: 'otp', provider: 'resend' }, streamName: /^otp-/ },
        ]),
      );
    const { challengeId } = response.body as { challengeId: string };
    const sent = resend.emails.at(-1)!;
    expect(sent).toMatchObject({
      apiKey: ACME_KEY,
      idempotencyKey: challengeId,
      to: ['ada@example.com'],
      from: 'Spec <no-reply@route-spec.test>',
    });
    const code = resend.codeFor('ada@example.com');
    const verified = await spec.http('POST', '/v1/otp/verify', { token: acme.key.key, body: { email: 'ada@example.com', code } });
    expect(verified.status).toBe(200);
    expect(logText()).not.toContain(ACME_KEY);
  });

  it("uses each tenant's own key, never another's", async () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    await spec
      .given(customerRegistered(acme), onResend(acme, ACME_KEY))
      .when(requestCode(acme.key.key, 'a@acme.example'))
      .then(expectResponse(202), expectNewEvents([{ type: 'OtpRequested' }, { type: 'EmailSent' }]));
    await spec
      .given(customerRegistered(globex), onResend(globex, GLOBEX_KEY))
      .when(requestCode(globex.key.key, 'g@globex.example'))
      .then(expectResponse(202), expectNewEvents([{ type: 'OtpRequested' }, { type: 'EmailSent' }]));
    expect(resend.emails.filter((e) => e.to.includes('a@acme.example')).map((e) => e.apiKey)).toEqual([ACME_KEY]);
    expect(resend.emails.filter((e) => e.to.includes('g@globex.example')).map((e) => e.apiKey)).toEqual([GLOBEX_KEY]);
  });

  it('answers 503 with Retry-After when Resend refuses, records EmailFailed by its code, and logs neither address nor key', async () => {
    const acme = specTenant('Acme');
    resend.failNext({ status: 429 });
    await spec
      .given(customerRegistered(acme), onResend(acme, ACME_KEY))
      .when(requestCode(acme.key.key, 'limited@example.com'))
      .then(
        expectProblem(503, 'email-delivery-failed', { headers: { 'retry-after': '5' } }),
        expectNewEvents([
          { type: 'OtpRequested' },
          { type: 'EmailFailed', data: { customerId: acme.id, purpose: 'otp', provider: 'resend', reason: 'rate_limited' } },
        ]),
        expectThat(({ response }) => expect(response.text).not.toMatch(/limited@example\.com|re_acme/)),
      );
    expect(logText()).toMatch(/"reason":"rate_limited"[^\n]*"msg":"otp email delivery failed"/);
    expect(logText()).not.toMatch(/limited@example\.com|re_acme/);
  });

  it('records a send that outlives the timeout as EmailFailed timeout', async () => {
    const acme = specTenant('Acme');
    resend.failNext({ hang: 'before headers' });
    await spec
      .given(customerRegistered(acme), onResend(acme, ACME_KEY))
      .when(requestCode(acme.key.key, 'slow@example.com'))
      .then(
        expectProblem(503, 'email-delivery-failed'),
        expectNewEvents([{ type: 'OtpRequested' }, { type: 'EmailFailed', data: { provider: 'resend', reason: 'timeout' } }]),
      );
  });

  it('sends an SMTP tenant through the relay and records EmailSent', async () => {
    const initech = specTenant('Initech');
    const since = relay.messages.length;
    await spec
      .given(customerRegistered(initech))
      .when(requestCode(initech.key.key, 'peter@initech.example'))
      .then(expectResponse(202), expectNewEvents([{ type: 'OtpRequested' }, { type: 'EmailSent', data: { provider: 'smtp' } }]));
    expect(await relay.codeFor('peter@initech.example', since)).toMatch(/^[0-9]{9}$/);
  });

  it("logs a relay's refusal by its codes, without the address the relay's reply quotes", async () => {
    const initech = specTenant('Initech');
    await spec
      .given(customerRegistered(initech))
      .when(requestCode(initech.key.key, REFUSED))
      .then(
        expectProblem(503, 'email-delivery-failed', { headers: { 'retry-after': '5' } }),
        expectNewEvents([{ type: 'OtpRequested' }, { type: 'EmailFailed', data: { provider: 'smtp', reason: 'rejected' } }]),
      );
    const failure = logs.filter((line) => line.includes('otp email delivery failed')).at(-1);
    expect(failure).toContain('smtp delivery failed: rejected (EENVELOPE 550)');
    expect(logText()).not.toContain(REFUSED);
  });
});
