import { describe, expect, it } from 'vitest';
import { apiKeyIssued, customerRegistered, specApiKey, specTenant, withWrongSecret, type SpecTenant } from '../support/given-events';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec, type RequestOptions } from '../support/route-spec';
import { SPEC_OPERATOR_TOKEN, specConsistency } from '../support/spec-secrets';

/** The customer reads of query-service/src/http: the operator reads any customer, a customer itself. */
const at = (iso: string) => new Date(iso);

function viewOf(tenant: SpecTenant, keys: { id: string; prefix: string; scopes: string[]; issuedAt: string }[]) {
  return {
    id: tenant.id,
    name: tenant.name,
    email: tenant.email,
    plan: tenant.plan,
    status: 'active',
    registeredAt: keys[0]!.issuedAt,
    apiKeys: keys.map((key) => ({ ...key, status: 'active', kind: 'secret' })),
    domains: [],
  };
}

describe('GET /v1/admin/customers/{id}', () => {
  const spec = useRouteSpec();

  it('answers the customer with its keys in the order they were issued, and never a key hash', async () => {
    const acme = specTenant();
    const later = specApiKey(acme.id, ['analytics:read']);
    const { response } = await spec
      .given(customerRegistered(acme, at('2026-03-01T10:00:00.000Z')), apiKeyIssued(acme, later, at('2026-03-02T10:00:00.000Z')))
      .when((http) => http('GET', `/v1/admin/customers/${acme.id}`, { token: SPEC_OPERATOR_TOKEN }))
      .thenOutcome(
        expectResponse(200, {
          equals: viewOf(acme, [
            { id: acme.key.id, prefix: acme.key.prefix, scopes: acme.key.scopes, issuedAt: '2026-03-01T10:00:00.000Z' },
            { id: later.id, prefix: later.prefix, scopes: later.scopes, issuedAt: '2026-03-02T10:00:00.000Z' },
          ]),
          headers: { 'cache-control': 'no-store' },
        }),
      );
    expect(response.text).not.toContain('keyHash');
  });

  it('reads its own write: a registration, then the read that waits for its X-Event-Position', async () => {
    let registered: any;
    await spec
      .given()
      .when(async (http) => {
        const res = await http('POST', '/v1/admin/customers', {
          token: SPEC_OPERATOR_TOKEN,
          body: { name: 'Acme', email: 'ops@acme.test', plan: 'pro' },
        });
        registered = res.body;
        const headers = { 'x-min-position': res.headers.get('x-event-position')! };
        return http('GET', `/v1/admin/customers/${res.body.customer.id}`, { token: SPEC_OPERATOR_TOKEN, headers });
      })
      .then(
        expectResponse(200),
        expectThat(({ response }) => expect(response.body).toEqual(registered.customer)),
        expectNewEvents([{ type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }]),
      );
  });

  it('answers 404 for a customer nobody registered', () =>
    spec
      .given()
      .when((http) => http('GET', '/v1/admin/customers/cus_0000000000000000', { token: SPEC_OPERATOR_TOKEN }))
      .then(expectProblem(404, 'not-found')));

  it('refuses an id that is not a customer id', () =>
    spec
      .given()
      .when((http) => http('GET', '/v1/admin/customers/acme', { token: SPEC_OPERATOR_TOKEN }))
      .then(expectProblem(400, 'validation', { body: { errors: [{ path: 'id', message: 'not a customer id' }] } })));

  it.each<[string, (tenant: SpecTenant) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ['a wrong operator token', () => ({ token: 'op_not_the_operator_token_but_long_enough_00' }), 401, 'invalid-api-key'],
    ["the customer's own API key: the record is the operator's business", (tenant) => ({ token: tenant.key.key }), 401, 'invalid-api-key'],
    ['a malformed X-Min-Position', () => ({ token: SPEC_OPERATOR_TOKEN, headers: { 'x-min-position': 'latest' } }), 400, 'validation'],
  ])('refuses %s', (_name, request, status, type) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('GET', `/v1/admin/customers/${acme.id}`, request(acme)))
      .then(expectProblem(status, type));
  });
});

describe('GET /v1/customer', () => {
  const spec = useRouteSpec();

  it("answers the key holder's own customer, whatever the key's scopes", () => {
    const acme = specTenant();
    const analyst = specApiKey(acme.id, ['analytics:read']);
    const registeredAt = at('2026-03-01T10:00:00.000Z');
    return spec
      .given(customerRegistered(acme, registeredAt), apiKeyIssued(acme, analyst, registeredAt))
      .when((http) => http('GET', '/v1/customer', { token: analyst.key }))
      .then(
        expectResponse(200, {
          body: { id: acme.id, name: acme.name, apiKeys: [{ id: acme.key.id }, { id: analyst.id, scopes: ['analytics:read'] }] },
        }),
        expectThat(({ response }) => {
          expect(response.text).not.toContain(acme.key.key.slice(-43));
          expect(response.text).not.toContain(analyst.key.slice(-43));
        }),
      );
  });

  it('keeps tenants apart: each key reads its own customer', () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    return spec
      .given(customerRegistered(acme), customerRegistered(globex))
      .when((http) => http('GET', '/v1/customer', { token: globex.key.key }))
      .then(expectResponse(200, { body: { id: globex.id, name: 'Globex' } }));
  });

  it('reads its own write: a new key, then the read that waits for its X-Event-Position', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(async (http) => {
        const issued = await http('POST', '/v1/api-keys', { token: acme.key.key, body: { scopes: ['audit:read'] } });
        return http('GET', '/v1/customer', { token: acme.key.key, headers: { 'x-min-position': issued.headers.get('x-event-position')! } });
      })
      .then(
        expectResponse(200, { body: { apiKeys: [{ id: acme.key.id }, { scopes: ['audit:read'] }] } }),
        expectNewEvents([{ type: 'ApiKeyIssued', data: { scopes: ['audit:read'] } }]),
      );
  });

  it('answers 503 when the read models have not reached X-Min-Position within the wait', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) =>
        http('GET', '/v1/customer', {
          token: acme.key.key,
          headers: { 'x-min-position': specConsistency.issue(acme.id, 9000000000000000000n) },
        }),
      )
      .then(
        expectProblem(503, 'service-unavailable', {
          body: { detail: 'the customers read model has not caught up with that write yet; retry' },
        }),
      );
  });

  it.each<[string, (tenant: SpecTenant) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ['a malformed key', () => ({ token: 'sk_live_nope' }), 401, 'invalid-api-key'],
    ['a key with a wrong secret', (tenant) => ({ token: withWrongSecret(tenant.key) }), 401, 'invalid-api-key'],
    ['the operator token', () => ({ token: SPEC_OPERATOR_TOKEN }), 401, 'invalid-api-key'],
    ['a malformed X-Min-Position', (tenant) => ({ token: tenant.key.key, headers: { 'x-min-position': '-1' } }), 400, 'validation'],
    [
      'a raw global position as X-Min-Position',
      (tenant) => ({ token: tenant.key.key, headers: { 'x-min-position': '1' } }),
      400,
      'validation',
    ],
    [
      "another tenant's consistency token",
      (tenant) => ({ token: tenant.key.key, headers: { 'x-min-position': specConsistency.issue('cus_00000000000000ff', 1n) } }),
      400,
      'validation',
    ],
    [
      'an X-Min-Position past any position',
      (tenant) => ({ token: tenant.key.key, headers: { 'x-min-position': '1'.repeat(20) } }),
      400,
      'validation',
    ],
  ])('refuses %s', (_name, request, status, type) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('GET', '/v1/customer', request(acme)))
      .then(expectProblem(status, type));
  });
});
