import { expect } from 'vitest';
import type { HttpCall } from './http';
import { OPERATOR_TOKEN } from './server-process';
import type { SmtpSink } from './smtp-sink';

/** Registers a customer through the operator route; each end-to-end case makes its own, so no case depends on another's. */
export async function registerCustomer(http: HttpCall, name = 'Acme') {
  const registered = await http('POST', '/v1/admin/customers', {
    token: OPERATOR_TOKEN,
    body: { name, email: `ops@${name.toLowerCase()}.test` },
  });
  expect(registered.status).toBe(201);
  return {
    customer: registered.body.customer,
    customerId: registered.body.customer.id as string,
    apiKey: registered.body.apiKey.key as string,
    position: registered.headers.get('x-event-position')!,
  };
}

/** Asks for a code, reads it from the SMTP sink and verifies it: one login, answered with the verify's response. */
export async function logIn(http: HttpCall, smtp: SmtpSink, apiKey: string, email: string) {
  const sent = smtp.messages.length;
  expect((await http('POST', '/v1/otp/request', { token: apiKey, body: { email } })).status).toBe(202);
  const verified = await http('POST', '/v1/otp/verify', {
    token: apiKey,
    body: { email, code: await smtp.codeFor(email.toLowerCase(), sent) },
  });
  expect(verified.status).toBe(200);
  return verified;
}
