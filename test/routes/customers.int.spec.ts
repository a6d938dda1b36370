import { describe, expect, it } from 'vitest';
import { apiKeyIssued, customerRegistered, specApiKey, specTenant, withWrongSecret, type SpecTenant } from '../support/given-events';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec, type RequestOptions } from '../support/route-spec';
import { CONSISTENCY_TOKEN, SPEC_OPERATOR_TOKEN, specConsistency, storedApiKeyHash } from '../support/spec-secrets';

const KEY_FORMAT = /^ok_live_[0-9a-f]{16}_[0-9a-f]{12}_[A-Za-z0-9_-]{43}_[0-9A-Za-z]{6}$/;
const ALL_SCOPES = ['otp:write', 'customer:admin', 'analytics:read', 'audit:read'];

/** The customer routes of command-service/src/customers: the operator registers, a customer adds keys. */
describe('POST /v1/admin/customers', () => {
  const spec = useRouteSpec();
  const register = (body: unknown, token = SPEC_OPERATOR_TOKEN) =>
    spec.given().when((http) => http('POST', '/v1/admin/customers', { token, body }));

  it('registers the customer with its first API key, shown once and stored only as its keyed hash', async () => {
    const { response, newEvents } = await register({ name: '  Acme ', email: 'ops@acme.test', plan: 'pro' }).thenOutcome(
      expectResponse(201, {
        body: {
          customer: {
            name: 'Acme',
            email: 'ops@acme.test',
            plan: 'pro',
            status: 'active',
            apiKeys: [{ scopes: ALL_SCOPES, status: 'active' }],
          },
          apiKey: { key: expect.stringMatching(KEY_FORMAT), scopes: ALL_SCOPES },
        },
        headers: { 'x-event-position': CONSISTENCY_TOKEN, 'cache-control': 'no-store' },
      }),
      expectNewEvents([
        { type: 'CustomerRegistered', data: { name: 'Acme', email: 'ops@acme.test', plan: 'pro' }, metadata: { actor: 'operator' } },
        { type: 'ApiKeyIssued', data: { scopes: ALL_SCOPES }, metadata: { actor: 'operator' } },
      ]),
    );
    const { customer, apiKey } = response.body;
    expect(response.headers.get('location')).toBe(`/v1/admin/customers/${customer.id}`);
    expect(newEvents.map((e) => e.streamName)).toEqual([`customer-${customer.id}`, `customer-${customer.id}`]);
    expect(newEvents[1]!.data).toMatchObject({ keyId: apiKey.id, prefix: apiKey.prefix, keyHash: storedApiKeyHash(apiKey.key) });
    expect(specConsistency.open('operator', response.headers.get('x-event-position')!)).toBe(newEvents[1]!.position);
    expect(JSON.stringify(newEvents.map((e) => [e.data, e.metadata]))).not.toContain(apiKey.key.slice(-50, -7));
  });

  it('puts a customer on the free plan unless told otherwise', () =>
    register({ name: 'Globex', email: 'it@globex.test' }).then(
      expectResponse(201, { body: { customer: { plan: 'free' } } }),
      expectNewEvents([{ type: 'CustomerRegistered', data: { plan: 'free' } }, { type: 'ApiKeyIssued' }]),
    ));

  it('keeps an internationalised domain in its ASCII form', () =>
    register({ name: 'Bäckerei', email: 'ann@münchen.de' }).then(
      expectResponse(201, { body: { customer: { email: 'ann@xn--mnchen-3ya.de' } } }),
      expectNewEvents([{ type: 'CustomerRegistered', data: { email: 'ann@xn--mnchen-3ya.de' } }, { type: 'ApiKeyIssued' }]),
    ));

  it('lists each invalid field', () =>
    register({ name: '', email: 'nope', extra: 1 }).then(
      expectProblem(400, 'validation'),
      expectThat(({ response }) =>
        expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'extra', 'name']),
      ),
    ));

  it.each<[string, (tenant: SpecTenant) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ['a wrong operator token', () => ({ token: 'op_not_the_operator_token_but_long_enough_00' }), 401, 'invalid-api-key'],
    ["a tenant's API key", (tenant) => ({ token: tenant.key.key }), 401, 'invalid-api-key'],
  ])('refuses %s', (_name, auth, status, type) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/admin/customers', { ...auth(acme), body: { name: 'X', email: 'x@x.test' } }))
      .then(expectProblem(status, type, { headers: { 'www-authenticate': /^Bearer/ } }));
  });

  it('refuses an Authorization header that is not a bearer credential', () =>
    spec
      .given()
      .when((http) =>
        http('POST', '/v1/admin/customers', {
          headers: { authorization: `Basic ${SPEC_OPERATOR_TOKEN}` },
          body: { name: 'X', email: 'x@x.test' },
        }),
      )
      .then(expectProblem(401, 'unauthenticated')));

  it.each([
    ['a missing field', { name: 'X' }, 'email'],
    ['an unknown plan', { name: 'X', email: 'x@x.test', plan: 'gold' }, 'plan'],
    ['an unknown field', { name: 'X', email: 'x@x.test', admin: true }, 'admin'],
    ['a wrong type', { name: 42, email: 'x@x.test' }, 'name'],
    ['an invalid email', { name: 'X', email: 'not-an-email' }, 'email'],
    ['a body that is not an object', ['X'], 'body'],
  ])('refuses %s', (_name, body, path) =>
    register(body).then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } })),
  );

  it.each([
    ['malformed JSON', { rawBody: '{"name":' }, 400, 'malformed-json'],
    ['a body over 16 kB', { body: { name: 'X', email: `${'a'.repeat(20_000)}@x.test` } }, 413, 'payload-too-large'],
    ['a form body', { rawBody: 'name=X', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, 'unsupported-media-type'],
    [
      'JSON sent as text',
      { rawBody: '{"name":"X","email":"x@x.test"}', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported-media-type',
    ],
  ])('refuses %s', (_name, request, status, type) =>
    spec
      .given()
      .when((http) => http('POST', '/v1/admin/customers', { token: SPEC_OPERATOR_TOKEN, ...request }))
      .then(expectProblem(status, type)),
  );
});

describe('POST /v1/customer/api-keys', () => {
  const spec = useRouteSpec();

  it('issues a key with the scopes asked for, recorded as its keyed hash and by the key that asked', async () => {
    const acme = specTenant('Acme');
    const { response, newEvents } = await spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/customer/api-keys', { token: acme.key.key, body: { scopes: ['analytics:read', 'audit:read'] } }))
      .thenOutcome(
        expectResponse(201, {
          body: { key: expect.stringMatching(KEY_FORMAT), scopes: ['analytics:read', 'audit:read'] },
          headers: { 'x-event-position': CONSISTENCY_TOKEN },
        }),
        expectNewEvents([
          {
            type: 'ApiKeyIssued',
            streamName: `customer-${acme.id}`,
            data: { customerId: acme.id, scopes: ['analytics:read', 'audit:read'] },
            metadata: { actor: `apiKey:${acme.key.id}`, tenantId: acme.id },
          },
        ]),
      );
    expect(response.body.key.startsWith(`ok_live_${acme.id.slice(4)}_`)).toBe(true);
    expect(newEvents[0]!.data).toMatchObject({
      keyId: response.body.id,
      prefix: response.body.prefix,
      keyHash: storedApiKeyHash(response.body.key),
    });
  });

  it('refuses a key without customer:admin, naming the scope', () => {
    const acme = specTenant('Acme');
    const analyst = specApiKey(acme.id, ['analytics:read']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, analyst))
      .when((http) => http('POST', '/v1/customer/api-keys', { token: analyst.key, body: { scopes: ['otp:write'] } }))
      .then(expectProblem(403, 'insufficient-scope', { body: { requiredScope: 'customer:admin' } }));
  });

  it('refuses a twenty-first active key', () => {
    const acme = specTenant('Acme');
    const more = Array.from({ length: 19 }, () => apiKeyIssued(acme, specApiKey(acme.id, ['otp:write'])));
    return spec
      .given(customerRegistered(acme), more)
      .when((http) => http('POST', '/v1/customer/api-keys', { token: acme.key.key, body: { scopes: ['otp:write'] } }))
      .then(expectProblem(409, 'conflict', { body: { code: 'too_many_keys' } }));
  });

  it.each<[string, (tenant: SpecTenant) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ['a malformed key', () => ({ token: 'sk_live_nope' }), 401, 'invalid-api-key'],
    ['a key with a wrong secret', (tenant) => ({ token: withWrongSecret(tenant.key) }), 401, 'invalid-api-key'],
    ['a well-formed key of no customer', () => ({ token: specTenant('Ghost').key.key }), 401, 'invalid-api-key'],
    ['the operator token', () => ({ token: SPEC_OPERATOR_TOKEN }), 401, 'invalid-api-key'],
  ])('refuses %s', (_name, auth, status, type) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/customer/api-keys', { ...auth(acme), body: { scopes: ['otp:write'] } }))
      .then(expectProblem(status, type));
  });

  it.each([
    ['an unknown scope', { scopes: ['root'] }, 'scopes.0'],
    ['no scope', { scopes: [] }, 'scopes'],
    ['a repeated scope', { scopes: ['otp:write', 'otp:write'] }, 'scopes'],
    ['an unknown field', { scopes: ['otp:write'], ttl: 60 }, 'ttl'],
    ['a wrong type', { scopes: 'otp:write' }, 'scopes'],
    ['no body', undefined, 'scopes'],
  ])('refuses %s', (_name, body, path) => {
    const tenant = specTenant('Acme');
    return spec
      .given(customerRegistered(tenant))
      .when((http) => http('POST', '/v1/customer/api-keys', { token: tenant.key.key, ...(body === undefined ? {} : { body }) }))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } }));
  });

  it.each([
    ['malformed JSON', { rawBody: '{"scopes":[' }, 400, 'malformed-json'],
    ['a body over 16 kB', { body: { scopes: Array(3_000).fill('otp:write') } }, 413, 'payload-too-large'],
    ['a text body', { rawBody: 'otp:write', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported-media-type'],
  ])('refuses %s', (_name, request, status, type) => {
    const tenant = specTenant('Acme');
    return spec
      .given(customerRegistered(tenant))
      .when((http) => http('POST', '/v1/customer/api-keys', { token: tenant.key.key, ...request }))
      .then(expectProblem(status, type));
  });
});
