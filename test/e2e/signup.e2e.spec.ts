import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { useEmbeddedServer } from '../support/embedded-server';

/**
 * Self-service signup through the bundle `npm start` runs: the code over real SMTP, the account
 * and its key, then that key running its own end user's login, and another service finding the
 * new customer with SERVICE_KEY. Each answer and refusal is specified in test/routes/signup.int.spec.ts.
 */
const SERVICE_KEY = 'svc_e2e_service_key_long_enough_for_secret_env';

describe('embedded server: a tenant signs itself up and logs its first user in', () => {
  const e2e = useEmbeddedServer('signup-e2e-', undefined, { SERVICE_KEY });

  it("signs up over SMTP, and the new key requests and verifies an end user's code into tokens for its own audience", async () => {
    const owner = 'Founder@Startup.test';
    let sent = e2e.smtp.messages.length;
    const asked = await e2e.http('POST', '/v1/signup', { body: { email: owner, companyName: 'Startup Inc' } });
    expect(asked.status).toBe(202);
    const signupCode = await e2e.smtp.codeFor('founder@startup.test', sent);
    const created = await e2e.http('POST', '/v1/signup/verify', { body: { email: owner, code: signupCode } });
    expect(created.status).toBe(201);
    const { customer, apiKey } = created.body;
    expect(customer).toMatchObject({ email: 'founder@startup.test', companyName: 'Startup Inc', plan: 'free', status: 'active' });
    expect(apiKey.key.startsWith(`ok_live_${customer.id.slice(4)}_`)).toBe(true);

    sent = e2e.smtp.messages.length;
    const requested = await e2e.http('POST', '/v1/otp/request', { token: apiKey.key, body: { email: 'user@customer-of-startup.test' } });
    expect(requested.status).toBe(202);
    const code = await e2e.smtp.codeFor('user@customer-of-startup.test', sent);
    const login = await e2e.http('POST', '/v1/otp/verify', {
      token: apiKey.key,
      body: { email: 'user@customer-of-startup.test', code, challengeId: requested.body.challengeId },
    });
    expect(login.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${e2e.server.baseUrl}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(login.body.accessToken, jwks, { audience: customer.id });
    expect(payload.email).toBe('user@customer-of-startup.test');

    // Signing up again with the same email gets a code (the answer tells nobody), and its right code only a 409.
    sent = e2e.smtp.messages.length;
    expect((await e2e.http('POST', '/v1/signup', { body: { email: owner, companyName: 'Startup Again' } })).status).toBe(202);
    const again = await e2e.http('POST', '/v1/signup/verify', {
      body: { email: owner, code: await e2e.smtp.codeFor('founder@startup.test', sent) },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'signup_already_completed' });
  });

  it('lets a service with SERVICE_KEY find the signed-up customer by email, and nobody without it', async () => {
    const sent = e2e.smtp.messages.length;
    await e2e.http('POST', '/v1/signup', { body: { email: 'ops@lookup-me.test', companyName: 'Lookup Me' } });
    const code = await e2e.smtp.codeFor('ops@lookup-me.test', sent);
    const created = await e2e.http('POST', '/v1/signup/verify', { body: { email: 'ops@lookup-me.test', code } });
    expect(created.status).toBe(201);
    // The verify's token is the new customer's: the lookup by its id may wait on it; by email, nothing names whose it is.
    const headers = { 'x-service-key': SERVICE_KEY, 'x-min-position': created.headers.get('x-event-position')! };
    const byId = await e2e.http('GET', `/v1/service/customers/${created.body.customer.id}`, { headers });
    expect(byId.body).toMatchObject({ id: created.body.customer.id, companyName: 'Lookup Me' });
    const found = await e2e.http('GET', '/v1/service/customers?email=OPS%40lookup-me.test', { headers: { 'x-service-key': SERVICE_KEY } });
    expect(found.status).toBe(200);
    expect(found.body.items.map((c: { id: string }) => c.id)).toEqual([created.body.customer.id]);
    const refused = await e2e.http('GET', `/v1/service/customers/${created.body.customer.id}`, {
      headers: { 'x-service-key': 'svc_not_the_deployment_key_at_all_0000000' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
  });
});
