import { describe, expect, it } from 'vitest';
import {
  apiKeyIssued,
  customerRegistered,
  originsAllowed,
  specApiKey,
  specPublishableKey,
  specTenant,
  type SpecTenant,
} from '../support/given-events';
import type { HttpCall } from '../support/http';
import { expectNewEvents, expectProblem, expectResponse, useRouteSpec } from '../support/route-spec';

const APP = 'https://app.acme.test';
const FOREIGN = 'https://evil.test';
const PK_FORMAT = /^pk_live_[0-9a-f]{16}_[0-9a-f]{12}_[A-Za-z0-9_-]{43}_[0-9A-Za-z]{6}$/;

/** A tenant whose config lets pages at APP use its keys, and a publishable key of its own. */
function browserTenant() {
  const tenant = specTenant();
  const pk = specPublishableKey(tenant.id);
  const given = [customerRegistered(tenant), apiKeyIssued(tenant, pk), originsAllowed(tenant, [APP])];
  return { tenant, pk, given };
}

const requestCode =
  (token: string, origin?: string, path = '/v1/otp/request') =>
  (http: HttpCall) =>
    http('POST', path, { token, body: { email: 'ada@example.com' }, headers: origin ? { origin } : {} });

const preflight = (path: string, origin: string) => (http: HttpCall) =>
  http('OPTIONS', path, {
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

const granted = (origin: string) => ({ 'access-control-allow-origin': origin, vary: /Origin/ });
const notGranted = { 'access-control-allow-origin': null };

/** Publishable keys (platform/src/auth/browser-origins.ts) and the CORS answers (browser-cors.ts). */
describe('publishable keys', () => {
  const spec = useRouteSpec();

  it('issues a pk_ key holding otp:write alone, shown once', async () => {
    const acme = specTenant();
    const { response } = await spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/customer/api-keys', { token: acme.key.key, body: { name: 'web login', kind: 'publishable' } }))
      .thenOutcome(
        expectResponse(201, {
          body: { kind: 'publishable', scopes: ['otp:write'], name: 'web login', key: expect.stringMatching(PK_FORMAT) },
        }),
        expectNewEvents([{ type: 'ApiKeyIssued', data: { kind: 'publishable', scopes: ['otp:write'] } }]),
      );
    expect(response.body.prefix).toMatch(/^pk_live_/);
  });

  it('refuses a publishable key asking for more than otp:write', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) =>
        http('POST', '/v1/customer/api-keys', {
          token: acme.key.key,
          body: { kind: 'publishable', scopes: ['otp:write', 'customer:admin'] },
        }),
      )
      .then(expectProblem(400, 'validation', { body: { errors: [{ path: 'scopes' }] } }));
  });

  it('still asks a secret key for its scopes', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/customer/api-keys', { token: acme.key.key, body: { name: 'backend' } }))
      .then(expectProblem(400, 'validation', { body: { errors: [{ path: 'scopes' }] } }));
  });

  it('requests a code from an allowed origin, and grants that origin the answer', () => {
    const { pk, given } = browserTenant();
    return spec
      .given(...given)
      .when(requestCode(pk.key, APP))
      .then(
        expectResponse(202, { headers: { ...granted(APP), 'access-control-expose-headers': /X-Request-Id/ } }),
        expectNewEvents([{ type: 'OtpRequested', metadata: { actor: `apiKey:${pk.id}` } }]),
      );
  });

  it('answers a wrong code from an allowed origin with a problem the page can read', () => {
    const { pk, given } = browserTenant();
    return spec
      .given(...given)
      .when((http) =>
        http('POST', '/v1/otp/verify', { token: pk.key, body: { email: 'ada@example.com', code: '123456789' }, headers: { origin: APP } }),
      )
      .then(expectProblem(401, 'invalid-code', { headers: granted(APP) }));
  });

  it('refuses a publishable key from a foreign origin, granting nothing', () => {
    const { pk, given } = browserTenant();
    return spec
      .given(...given)
      .when(requestCode(pk.key, FOREIGN))
      .then(expectProblem(403, 'origin-not-allowed', { headers: { ...notGranted, vary: /Origin/ } }));
  });

  it('refuses a publishable key sent without an Origin (not from a browser page)', () => {
    const { pk, given } = browserTenant();
    return spec
      .given(...given)
      .when(requestCode(pk.key))
      .then(expectProblem(403, 'origin-not-allowed'));
  });

  it('refuses a publishable key of a tenant that allows no origin', () => {
    const acme = specTenant();
    const pk = specPublishableKey(acme.id);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, pk))
      .when(requestCode(pk.key, APP))
      .then(expectProblem(403, 'origin-not-allowed', { headers: notGranted }));
  });

  it.each([
    ['refresh a token', 'POST', '/v1/tokens/refresh', { refreshToken: 'x' }],
    ['list the keys', 'GET', '/v1/customer/api-keys', undefined],
    ['read the usage', 'GET', '/v1/usage?granularity=day&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z', undefined],
    ['add a domain', 'POST', '/v1/customer/domains', { domain: 'acme.test' }],
  ])('refuses a publishable key that tries to %s, even from an allowed origin', (_what, method, path, body) => {
    const { pk, given } = browserTenant();
    return spec
      .given(...given)
      .when((http) => http(method, path, { token: pk.key, headers: { origin: APP }, ...(body ? { body } : {}) }))
      .then(expectProblem(403, 'publishable-key-not-allowed'));
  });

  it('rotates a publishable key into a publishable one, and lists both with their kind', async () => {
    const { tenant, pk, given } = browserTenant();
    const { response } = await spec
      .given(...given)
      .when((http) => http('POST', `/v1/customer/api-keys/${pk.id}/rotate`, { token: tenant.key.key, body: { graceSeconds: 0 } }))
      .thenOutcome(
        expectResponse(201, { body: { kind: 'publishable', replaces: pk.id, key: expect.stringMatching(PK_FORMAT) } }),
        expectNewEvents([{ type: 'ApiKeyRotated', data: { keyId: pk.id, kind: 'publishable' } }]),
      );
    const position = response.headers.get('x-event-position')!;
    const list = await spec.http('GET', '/v1/customer/api-keys', { token: tenant.key.key, headers: { 'x-min-position': position } });
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: tenant.key.id, kind: 'secret' }),
      expect.objectContaining({ id: pk.id, kind: 'publishable', status: 'expired' }),
      expect.objectContaining({ id: response.body.id, kind: 'publishable', status: 'active' }),
    ]);
    const old = await spec.http('POST', '/v1/otp/request', { token: pk.key, body: { email: 'ada@example.com' }, headers: { origin: APP } });
    expect(old.status).toBe(401);
  });

  it('revokes a publishable key at once', async () => {
    const { tenant, pk, given } = browserTenant();
    await spec
      .given(...given)
      .when((http) => http('DELETE', `/v1/customer/api-keys/${pk.id}`, { token: tenant.key.key }))
      .then(expectResponse(204), expectNewEvents([{ type: 'ApiKeyRevoked', data: { keyId: pk.id } }]));
    const after = await spec.http('POST', '/v1/otp/request', {
      token: pk.key,
      body: { email: 'ada@example.com' },
      headers: { origin: APP },
    });
    expect(after.status).toBe(401);
  });
});

describe('secret keys from a browser', () => {
  const spec = useRouteSpec();
  const admin = (tenant: SpecTenant, origin?: string) => (http: HttpCall) =>
    http('GET', '/v1/customer/api-keys', { token: tenant.key.key, headers: origin ? { origin } : {} });

  it('refuses a secret key from a foreign origin', () => {
    const { tenant, given } = browserTenant();
    return spec
      .given(...given)
      .when(admin(tenant, FOREIGN))
      .then(expectProblem(403, 'origin-not-allowed', { headers: notGranted }));
  });

  it('refuses a secret key from any origin when the tenant allows none', () => {
    const acme = specTenant();
    return spec.given(customerRegistered(acme)).when(admin(acme, APP)).then(expectProblem(403, 'origin-not-allowed'));
  });

  it('accepts a secret key from an allowed origin, granting it', () => {
    const { tenant, given } = browserTenant();
    return spec
      .given(...given)
      .when(admin(tenant, APP))
      .then(expectResponse(200, { headers: granted(APP) }));
  });

  it('accepts a secret key without an Origin (a server), with no CORS headers', () => {
    const { tenant, given } = browserTenant();
    return spec
      .given(...given)
      .when(admin(tenant))
      .then(expectResponse(200, { headers: { ...notGranted, vary: null } }));
  });

  it('refuses a secret key for a code from a foreign origin, and records nothing', () => {
    const acme = specTenant();
    const key = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, key), originsAllowed(acme, [APP]))
      .when(requestCode(key.key, FOREIGN))
      .then(expectProblem(403, 'origin-not-allowed'));
  });
});

describe('CORS preflight', () => {
  const spec = useRouteSpec();

  it('grants an allowed origin the methods and headers, the tenant named by ?customer=', () => {
    const { tenant, given } = browserTenant();
    return spec
      .given(...given)
      .when(preflight(`/v1/otp/request?customer=${tenant.id}`, APP))
      .then(
        expectResponse(204, {
          headers: {
            ...granted(APP),
            'access-control-allow-methods': /POST/,
            'access-control-allow-headers': /Authorization, Content-Type/,
            'access-control-max-age': '600',
            'access-control-allow-credentials': null,
          },
        }),
      );
  });

  it('refuses a foreign origin, granting nothing', () => {
    const { tenant, given } = browserTenant();
    return spec
      .given(...given)
      .when(preflight(`/v1/otp/request?customer=${tenant.id}`, FOREIGN))
      .then(expectProblem(403, 'origin-not-allowed', { headers: { ...notGranted, vary: /Origin/ } }));
  });

  it('refuses a preflight that names no tenant, saying how to name one', () => {
    const { given } = browserTenant();
    return spec
      .given(...given)
      .when(preflight('/v1/otp/request', APP))
      .then(expectProblem(403, 'origin-not-allowed', { body: { detail: /\?customer=cus_/ }, headers: notGranted }));
  });

  it('takes ?customer= off before the route, whose query schema is strict', () => {
    const { tenant, given } = browserTenant();
    return spec
      .given(...given)
      .when((http) => http('GET', `/v1/audit?customer=${tenant.id}&limit=5`, { token: tenant.key.key, headers: { origin: APP } }))
      .then(expectResponse(200, { headers: granted(APP) }));
  });

  it('lets the key, not ?customer=, say whose origins grant the answer', () => {
    const { pk, given } = browserTenant();
    const other = specTenant('Other');
    return spec
      .given(...given, customerRegistered(other), originsAllowed(other, [FOREIGN]))
      .when(requestCode(pk.key, FOREIGN, `/v1/otp/request?customer=${other.id}`))
      .then(expectProblem(403, 'origin-not-allowed', { headers: notGranted }));
  });
});
