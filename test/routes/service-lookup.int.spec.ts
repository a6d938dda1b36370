import { describe, expect, it } from 'vitest';
import { customerRegistered, specTenant, type SpecTenant } from '../support/given-events';
import type { HttpCall } from '../support/http';
import { expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { SPEC_OPERATOR_TOKEN, SPEC_SERVICE_KEY } from '../support/spec-secrets';

/** The service lookups of query-service/src/http/service-routes.ts: another service of the deployment, by X-Service-Key. */
/** `null` sends no X-Service-Key at all. */
const asService =
  (path: string, key: string | null = SPEC_SERVICE_KEY) =>
  (http: HttpCall) =>
    http('GET', path, key === null ? {} : { headers: { 'x-service-key': key } });
const tenantWith = (email: string, name = 'Acme'): SpecTenant => ({ ...specTenant(name), email });
const uniqueEmail = () => `billing.${Math.random().toString(16).slice(2, 10)}@lookup.test`;

describe('GET /v1/service/customers/{id}', () => {
  const spec = useRouteSpec();

  it('answers the customer as the operator sees it, never a key hash', async () => {
    const acme = specTenant();
    const { response } = await spec
      .given(customerRegistered(acme))
      .when(asService(`/v1/service/customers/${acme.id}`))
      .thenOutcome(
        expectResponse(200, {
          body: { id: acme.id, name: 'Acme', email: acme.email, status: 'active', apiKeys: [{ id: acme.key.id, prefix: acme.key.prefix }] },
        }),
      );
    const operator = await spec.http('GET', `/v1/admin/customers/${acme.id}`, { token: SPEC_OPERATOR_TOKEN });
    expect(response.body).toEqual(operator.body);
    expect(response.text).not.toContain('keyHash');
  });

  it('answers a customer it does not know 404', () =>
    spec.given().when(asService('/v1/service/customers/cus_00000000000000ff')).then(expectProblem(404, 'not-found')));

  it('refuses a malformed id 400', () => spec.given().when(asService('/v1/service/customers/acme')).then(expectProblem(400, 'validation')));

  it.each([
    ['no X-Service-Key', null],
    ['a wrong key', `${SPEC_SERVICE_KEY}x`],
    ['the operator token', SPEC_OPERATOR_TOKEN],
  ])('refuses %s with 401 and says nothing of the customer', async (_name, key) => {
    const acme = specTenant();
    await spec
      .given(customerRegistered(acme))
      .when(asService(`/v1/service/customers/${acme.id}`, key))
      .then(
        expectProblem(401, 'invalid-api-key'),
        expectThat(({ response }) => expect(response.text).not.toContain(acme.email)),
      );
  });

  it('refuses a tenant API key as a bearer credential: the lookups take the service key only', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('GET', `/v1/service/customers/${acme.id}`, { token: acme.key.key }))
      .then(expectProblem(401, 'invalid-api-key'));
  });
});

describe('GET /v1/service/customers?email=', () => {
  const spec = useRouteSpec();

  it('answers the customers of the email, whatever its spelling', () => {
    const email = uniqueEmail();
    const acme = tenantWith(email);
    return spec
      .given(customerRegistered(acme))
      .when(asService(`/v1/service/customers?email=${encodeURIComponent(email.toUpperCase())}`))
      .then(expectResponse(200, { equals: { items: [expect.objectContaining({ id: acme.id, email })] } }));
  });

  it('answers every customer the operator gave one email, in id order', () => {
    const email = uniqueEmail();
    const tenants = [tenantWith(email, 'Acme'), tenantWith(email, 'Globex')].sort((a, b) => a.id.localeCompare(b.id));
    return spec
      .given(...tenants.map((t) => customerRegistered(t)))
      .when(asService(`/v1/service/customers?email=${encodeURIComponent(email)}`))
      .then(expectResponse(200, { body: { items: tenants.map((t) => ({ id: t.id, name: t.name })) } }));
  });

  it('answers an email without customers with no items', () =>
    spec
      .given(customerRegistered(specTenant()))
      .when(asService(`/v1/service/customers?email=${encodeURIComponent(uniqueEmail())}`))
      .then(expectResponse(200, { equals: { items: [] } })));

  it.each([
    ['no email', '/v1/service/customers'],
    ['a malformed email', '/v1/service/customers?email=nobody'],
    ['an unknown parameter', `/v1/service/customers?email=${encodeURIComponent('a@b.test')}&status=active`],
  ])('refuses %s with 400', (_name, path) => spec.given().when(asService(path)).then(expectProblem(400, 'validation')));

  it('refuses a wrong key with 401 before it reads anything', () =>
    spec.given().when(asService('/v1/service/customers?email=nobody', 'not-the-service-key')).then(expectProblem(401, 'invalid-api-key')));
});

describe('the service lookups with no SERVICE_KEY configured', () => {
  const spec = useRouteSpec({ serviceKey: null });

  it.each([
    ['the key other deployments use', SPEC_SERVICE_KEY],
    ['an empty key', ''],
    ['no key', null],
  ])('refuses %s with 401', (_name, key) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(asService(`/v1/service/customers/${acme.id}`, key))
      .then(expectProblem(401, 'invalid-api-key'));
  });
});
