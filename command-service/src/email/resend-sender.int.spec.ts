import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startResendServer, type ResendFault, type ResendServer } from '../../../test/support/resend-server';
import { EmailDeliveryError } from './mailer';
import { createResendSender } from './resend-sender';

const KEY = 're_spec_0123456789abcdefghijklmnop';
const email = {
  id: 'chl_00000000000000a1',
  to: 'ada@example.com',
  subject: 'Your code',
  text: 'Your sign-in code is 123456789',
  html: '<p>Your sign-in code is 123456789</p>',
};

/** The Resend sender against a local server that checks each request as Resend documents it. */
describe('Resend sender', () => {
  let server: ResendServer;
  beforeAll(async () => {
    server = await startResendServer([KEY]);
  });
  afterAll(async () => {
    await server.close();
  });
  const sender = (key = KEY, timeoutMs = 2_000) => createResendSender(key, 'OTP <otp@acme.test>', { baseUrl: server.baseUrl, timeoutMs });
  const failureOf = (promise: Promise<void>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as EmailDeliveryError,
    );

  it('posts the documented JSON to /emails with the Bearer key and the challenge id as idempotency key', async () => {
    await sender().send(email);
    expect(server.emails.at(-1)).toEqual({
      apiKey: KEY,
      idempotencyKey: email.id,
      from: 'OTP <otp@acme.test>',
      to: ['ada@example.com'],
      subject: 'Your code',
      text: email.text,
      html: email.html,
    });
    expect(server.codeFor('ada@example.com')).toBe('123456789');
  });

  it("sends from the tenant's own address when the email names one", async () => {
    await sender().send({ ...email, from: 'Acme <login@acme.example>' });
    expect(server.emails.at(-1)?.from).toBe('Acme <login@acme.example>');
  });

  it('takes a base URL with or without a trailing slash', async () => {
    const before = server.emails.length;
    await createResendSender(KEY, 'otp@acme.test', { baseUrl: `${server.baseUrl}/`, timeoutMs: 2_000 }).send(email);
    expect(server.emails).toHaveLength(before + 1);
  });

  it('fails a key the provider does not know as misconfigured, naming neither key nor address', async () => {
    const wrongKey = 're_spec_not_a_key_the_server_knows_00';
    const failure = await failureOf(sender(wrongKey).send(email));
    expect(failure).toBeInstanceOf(EmailDeliveryError);
    expect(failure).toMatchObject({
      provider: 'resend',
      reason: 'misconfigured',
      message: 'resend delivery failed: misconfigured (HTTP 403)',
    });
  });

  const faults: [ResendFault, string, string][] = [
    [{ status: 401 }, 'misconfigured', 'HTTP 401'],
    [{ status: 422 }, 'rejected', 'HTTP 422'],
    [{ status: 429 }, 'rate_limited', 'HTTP 429'],
    [{ status: 500 }, 'unavailable', 'HTTP 500'],
    [{ hang: 'before headers' }, 'timeout', 'no answer in 300 ms'],
    [{ hang: 'after headers' }, 'timeout', 'no answer in 300 ms'],
    [{ notResend: true }, 'unavailable', 'HTTP 200 without an email id'],
  ];
  it.each(faults)('maps %o to %s, and the error keeps none of what the provider said', async (fault, reason, status) => {
    server.failNext(fault);
    const failure = await failureOf(sender(KEY, 300).send(email));
    expect(failure).toBeInstanceOf(EmailDeliveryError);
    expect(failure).toMatchObject({ reason, message: `resend delivery failed: ${reason} (${status})` });
    // The server's error message quotes the recipient; the sender never read it.
    expect(JSON.stringify({ ...failure, message: failure?.message })).not.toMatch(/ada@example\.com|re_spec/);
  });

  it('fails as unavailable when nothing listens', async () => {
    const closed = await startResendServer([KEY]);
    await closed.close();
    const failure = await failureOf(createResendSender(KEY, 'otp@acme.test', { baseUrl: closed.baseUrl, timeoutMs: 2_000 }).send(email));
    expect(failure).toMatchObject({
      provider: 'resend',
      reason: 'unavailable',
      message: 'resend delivery failed: unavailable (no connection)',
    });
  });
});
