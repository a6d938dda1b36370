import { describe, expect, it } from 'vitest';
import {
  apiKeyIssued,
  apiKeyRevoked,
  customerRegistered,
  customerSuspended,
  specApiKey,
  specTenant,
  type SpecTenant,
} from '../support/given-events';
import { expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { SPEC_OPERATOR_TOKEN } from '../support/spec-secrets';

/** Point-in-time reads of query-service/src/http: the customer folded from its stream's events up to `asOf`. */
const at = (iso: string) => new Date(iso);
const REGISTERED = '2026-03-01T10:00:00.000Z';

function history(acme: SpecTenant) {
  const reader = specApiKey(acme.id, ['audit:read']);
  return {
    reader,
    events: [
      customerRegistered(acme, at(REGISTERED)),
      apiKeyIssued(acme, reader, at('2026-03-02T10:00:00.000Z')),
      apiKeyRevoked(acme, reader, at('2026-03-03T10:00:00.000Z')),
    ].flat(),
  };
}
const keysOf = (body: { apiKeys: { id: string; status: string }[] }) => body.apiKeys.map((key) => [key.id, key.status]);

describe('GET /v1/customer?asOf=', () => {
  const spec = useRouteSpec();

  it('answers the customer as it was then: a key issued later is missing, a key revoked later still active', () => {
    const acme = specTenant();
    const { reader, events } = history(acme);
    return spec
      .given(events)
      .when((http) => http('GET', '/v1/customer?asOf=2026-03-02T12:00:00.000Z', { token: acme.key.key }))
      .then(
        expectResponse(200, { body: { id: acme.id, status: 'active', registeredAt: REGISTERED } }),
        expectThat(async ({ response }) => {
          expect(keysOf(response.body)).toEqual([
            [acme.key.id, 'active'],
            [reader.id, 'active'],
          ]);
          const before = await spec.http('GET', '/v1/customer?asOf=2026-03-02', { token: acme.key.key });
          expect(keysOf(before.body)).toEqual([[acme.key.id, 'active']]);
          const now = await spec.http('GET', '/v1/customer', { token: acme.key.key });
          const later = await spec.http('GET', '/v1/customer?asOf=2026-03-03T10:00:00.000Z', { token: acme.key.key });
          // The instant of an event includes it; today's answer is the read model's, and they agree.
          expect(keysOf(later.body)).toEqual([
            [acme.key.id, 'active'],
            [reader.id, 'revoked'],
          ]);
          expect(later.body).toEqual(now.body);
        }),
      );
  });

  it('answers 404 for a time before the registration', () => {
    const acme = specTenant();
    return spec
      .given(history(acme).events)
      .when((http) => http('GET', '/v1/customer?asOf=2026-03-01T09:59:59.999Z', { token: acme.key.key }))
      .then(expectProblem(404, 'not-found'));
  });

  it.each([
    ['a timestamp that is not one', '?asOf=yesterday', 'asOf'],
    ['a timestamp with an offset', '?asOf=2026-03-02T12:00:00%2B01:00', 'asOf'],
    ['an unknown parameter', '?at=2026-03-02', 'at'],
  ])('refuses %s, naming the parameter', (_name, query, path) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('GET', `/v1/customer${query}`, { token: acme.key.key }))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } }));
  });
});

describe('GET /v1/admin/customers/{id}?asOf=', () => {
  const spec = useRouteSpec();

  it('answers the operator the customer as it was before and after a suspension', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme, at(REGISTERED)), customerSuspended(acme, 'unpaid invoice', at('2026-03-05T00:00:00.000Z')))
      .when((http) => http('GET', `/v1/admin/customers/${acme.id}?asOf=2026-03-04`, { token: SPEC_OPERATOR_TOKEN }))
      .then(
        expectResponse(200, { body: { id: acme.id, status: 'active' } }),
        expectThat(async ({ response }) => {
          expect(response.body).not.toHaveProperty('statusReason');
          const after = await spec.http('GET', `/v1/admin/customers/${acme.id}?asOf=2026-03-06`, { token: SPEC_OPERATOR_TOKEN });
          expect(after.body).toMatchObject({ status: 'suspended', statusReason: 'unpaid invoice' });
        }),
      );
  });

  it('answers 404 before the registration, and for a customer that never was', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme, at(REGISTERED)))
      .when((http) => http('GET', `/v1/admin/customers/${acme.id}?asOf=2026-02-28`, { token: SPEC_OPERATOR_TOKEN }))
      .then(
        expectProblem(404, 'not-found'),
        expectThat(async () => {
          const never = await spec.http('GET', `/v1/admin/customers/${specTenant().id}?asOf=2026-03-02`, { token: SPEC_OPERATOR_TOKEN });
          expect(never.status).toBe(404);
        }),
      );
  });

  it('refuses a bad timestamp, naming the parameter, and a tenant key', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('GET', `/v1/admin/customers/${acme.id}?asOf=2026-13-01`, { token: SPEC_OPERATOR_TOKEN }))
      .then(
        expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path: 'asOf' })] } }),
        expectThat(async () => {
          const tenant = await spec.http('GET', `/v1/admin/customers/${acme.id}?asOf=2026-03-02`, { token: acme.key.key });
          expect(tenant.status).toBe(401);
        }),
      );
  });
});
