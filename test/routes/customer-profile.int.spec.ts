import { describe, expect, it } from 'vitest';
import { apiKeyIssued, customerRegistered, customerSuspended, specApiKey, specTenant } from '../support/given-events';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { CONSISTENCY_TOKEN } from '../support/spec-secrets';

/** PATCH /v1/customer (command-service/src/customers): the tenant changes its own account details. */
describe('PATCH /v1/customer', () => {
  const spec = useRouteSpec();

  it('records the fields sent, and GET /v1/customer shows them once projected', async () => {
    const acme = specTenant();
    let position = '';
    await spec
      .given(customerRegistered(acme))
      .when(async (http) => {
        const res = await http('PATCH', '/v1/customer', {
          token: acme.key.key,
          body: { companyName: ' Acme Ltd ', contactEmail: 'billing@acme.test' },
        });
        position = res.headers.get('x-event-position') ?? '';
        return res;
      })
      .then(
        expectResponse(204, { headers: { 'x-event-position': CONSISTENCY_TOKEN } }),
        expectNewEvents([
          {
            type: 'CustomerProfileChanged',
            streamName: `customer-${acme.id}`,
            data: { customerId: acme.id, companyName: 'Acme Ltd', contactEmail: 'billing@acme.test' },
            metadata: { actor: `apiKey:${acme.key.id}` },
          },
        ]),
      );
    await spec
      .given()
      .when((http) => http('GET', '/v1/customer', { token: acme.key.key, headers: { 'x-min-position': position } }))
      .then(
        expectResponse(200, {
          body: { id: acme.id, name: 'Acme', email: acme.email, companyName: 'Acme Ltd', contactEmail: 'billing@acme.test' },
        }),
      );
  });

  it('keeps the registration email and name of a customer that never changed them', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('GET', '/v1/customer', { token: acme.key.key }))
      .then(
        expectResponse(200, { body: { name: 'Acme', email: acme.email } }),
        expectThat(({ response }) => expect(Object.keys(response.body)).not.toEqual(expect.arrayContaining(['companyName']))),
        expectThat(({ response }) => expect(Object.keys(response.body)).not.toEqual(expect.arrayContaining(['contactEmail']))),
      );
  });

  it.each([
    ['nothing to change', {}],
    ['an unknown field', { plan: 'enterprise' }],
    ['an empty name', { name: '  ' }],
    ['a contact that is no email', { contactEmail: 'billing' }],
  ])('refuses %s', (_name, body) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('PATCH', '/v1/customer', { token: acme.key.key, body }))
      .then(expectProblem(400, 'validation'));
  });

  it('refuses a key without customer:admin', () => {
    const acme = specTenant();
    const app = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app))
      .when((http) => http('PATCH', '/v1/customer', { token: app.key, body: { name: 'Other' } }))
      .then(expectProblem(403, 'insufficient-scope'));
  });

  it('refuses a suspended customer', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), customerSuspended(acme))
      .when((http) => http('PATCH', '/v1/customer', { token: acme.key.key, body: { name: 'Other' } }))
      .then(expectProblem(403, 'customer-inactive'));
  });
});
