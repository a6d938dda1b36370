import { describe, expect, it } from 'vitest';
import {
  customerCancelled,
  customerRegistered,
  customerSuspended,
  specTenant,
  type GivenEvent,
  type SpecTenant,
} from '../support/given-events';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec, type RequestOptions } from '../support/route-spec';
import { CONSISTENCY_TOKEN, SPEC_OPERATOR_TOKEN } from '../support/spec-secrets';

const operator: RequestOptions = { token: SPEC_OPERATOR_TOKEN };

/** The operator runs the platform (command-service/src/customers, the list in query-service): status, plan, the list. */
describe('POST /v1/admin/customers/{id}/suspend, activate, cancel', () => {
  const spec = useRouteSpec();
  const act = (given: GivenEvent[], tenant: SpecTenant, action: string, body: unknown = { reason: 'ticket 42' }, auth = operator) =>
    spec.given(given).when((http) => http('POST', `/v1/admin/customers/${tenant.id}/${action}`, { ...auth, body }));

  it('suspends an active customer, the reason recorded by the operator', () => {
    const acme = specTenant();
    return act(customerRegistered(acme), acme, 'suspend').then(
      expectResponse(200, {
        equals: { id: acme.id, status: 'suspended', plan: acme.plan },
        headers: { 'x-event-position': CONSISTENCY_TOKEN },
      }),
      expectNewEvents([
        {
          type: 'CustomerSuspended',
          streamName: `customer-${acme.id}`,
          data: { customerId: acme.id, reason: 'ticket 42' },
          metadata: { actor: 'operator', tenantId: acme.id },
        },
      ]),
    );
  });

  it('activates a suspended customer, whose keys work again at once', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), customerSuspended(acme))
      .when(async (http) => {
        const res = await http('POST', `/v1/admin/customers/${acme.id}/activate`, { ...operator, body: { reason: 'paid' } });
        expect(res.body).toEqual({ id: acme.id, status: 'active', plan: acme.plan });
        return http('GET', '/v1/customer/api-keys', { token: acme.key.key });
      })
      .then(expectResponse(200), expectNewEvents([{ type: 'CustomerActivated', data: { reason: 'paid' } }]));
  });

  it.each(['active', 'suspended'])('cancels a customer that is %s; its keys get 403 from then on', (status) => {
    const acme = specTenant();
    const given = status === 'active' ? customerRegistered(acme) : [...customerRegistered(acme), customerSuspended(acme)];
    return spec
      .given(given)
      .when(async (http) => {
        const res = await http('POST', `/v1/admin/customers/${acme.id}/cancel`, { ...operator, body: { reason: 'closed' } });
        expect(res.body).toMatchObject({ status: 'cancelled' });
        return http('POST', '/v1/otp/request', { token: acme.key.key, body: { email: 'ann@example.test' } });
      })
      .then(expectProblem(403, 'customer-inactive'), expectNewEvents([{ type: 'CustomerCancelled', data: { reason: 'closed' } }]));
  });

  it.each([
    ['suspends', 'suspend', 'suspended'],
    ['cancels', 'cancel', 'cancelled'],
  ])('records nothing when it %s a customer already so', (_name, action, status) => {
    const acme = specTenant();
    const off = status === 'suspended' ? customerSuspended(acme) : customerCancelled(acme);
    return act([...customerRegistered(acme), off], acme, action).then(
      expectResponse(200, { body: { status }, headers: { 'x-event-position': null } }),
    );
  });

  it('records nothing when it activates an active customer', () => {
    const acme = specTenant();
    return act(customerRegistered(acme), acme, 'activate').then(expectResponse(200, { body: { status: 'active' } }));
  });

  it.each(['suspend', 'activate'])('refuses to %s a cancelled customer', (action) => {
    const acme = specTenant();
    return act([...customerRegistered(acme), customerCancelled(acme)], acme, action).then(
      expectProblem(409, 'conflict', { body: { code: 'customer_cancelled' } }),
    );
  });

  it('refuses a customer never registered', () =>
    act([], specTenant('Ghost'), 'suspend').then(expectProblem(404, 'not-found', { body: { code: 'customer_not_found' } })));

  it.each([
    ['no reason', {}, 'reason'],
    ['an empty reason', { reason: '  ' }, 'reason'],
    ['a reason over 500 characters', { reason: 'x'.repeat(501) }, 'reason'],
    ['an unknown field', { reason: 'x', notify: true }, 'notify'],
  ])('refuses %s', (_name, body, path) => {
    const acme = specTenant();
    return act(customerRegistered(acme), acme, 'suspend', body).then(
      expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } }),
    );
  });

  it('refuses a customer id that is not one', () =>
    spec
      .given()
      .when((http) => http('POST', '/v1/admin/customers/acme/suspend', { ...operator, body: { reason: 'x' } }))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path: 'id' })] } })));

  it.each<[string, (tenant: SpecTenant) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ["the customer's own API key", (tenant) => ({ token: tenant.key.key }), 401, 'invalid-api-key'],
  ])('refuses %s', (_name, auth, status, type) => {
    const acme = specTenant();
    return act(customerRegistered(acme), acme, 'suspend', { reason: 'x' }, auth(acme)).then(expectProblem(status, type));
  });
});

describe('PUT /v1/admin/customers/{id}/plan', () => {
  const spec = useRouteSpec();
  const put = (given: GivenEvent[], tenant: SpecTenant, body: unknown, auth = operator) =>
    spec.given(given).when((http) => http('PUT', `/v1/admin/customers/${tenant.id}/plan`, { ...auth, body }));

  it('changes the plan, recording the one before', () => {
    const acme = specTenant('Acme', 'pro');
    return put(customerRegistered(acme), acme, { plan: 'enterprise' }).then(
      expectResponse(200, { equals: { id: acme.id, status: 'active', plan: 'enterprise' } }),
      expectNewEvents([
        { type: 'CustomerPlanChanged', data: { plan: 'enterprise', previousPlan: 'pro' }, metadata: { actor: 'operator' } },
      ]),
    );
  });

  it('records nothing for the plan the customer is on', () => {
    const acme = specTenant('Acme', 'pro');
    return put(customerRegistered(acme), acme, { plan: 'pro' }).then(expectResponse(200, { body: { plan: 'pro' } }));
  });

  it('refuses a cancelled customer', () => {
    const acme = specTenant();
    return put([...customerRegistered(acme), customerCancelled(acme)], acme, { plan: 'free' }).then(
      expectProblem(409, 'conflict', { body: { code: 'customer_cancelled' } }),
    );
  });

  it.each([
    ['an unknown plan', { plan: 'gold' }, 'plan'],
    ['no plan', {}, 'plan'],
  ])('refuses %s', (_name, body, path) => {
    const acme = specTenant();
    return put(customerRegistered(acme), acme, body).then(
      expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } }),
    );
  });

  it('refuses a customer never registered', () => put([], specTenant('Ghost'), { plan: 'free' }).then(expectProblem(404, 'not-found')));

  it('refuses a tenant key', () => {
    const acme = specTenant();
    return put(customerRegistered(acme), acme, { plan: 'enterprise' }, { token: acme.key.key }).then(expectProblem(401, 'invalid-api-key'));
  });
});

describe('GET /v1/admin/customers', () => {
  const spec = useRouteSpec();
  // Cases share one app: each lists customers of an email of its own.
  const tenantsOf = (email: string, count: number) => Array.from({ length: count }, (_, i) => ({ ...specTenant(`T${i}`), email }));
  const uniqueEmail = () => `ops-${Math.random().toString(16).slice(2)}@list.test`;

  it('filters by email and pages in id order with a cursor', () => {
    const email = uniqueEmail();
    const tenants = tenantsOf(email, 3);
    const ids = tenants.map((t) => t.id).sort();
    return spec
      .given(tenants.flatMap((t) => customerRegistered(t)))
      .when(async (http) => {
        const first = await http('GET', `/v1/admin/customers?email=${encodeURIComponent(email)}&limit=2`, operator);
        expect(first.status).toBe(200);
        expect(first.body.items.map((c: { id: string }) => c.id)).toEqual(ids.slice(0, 2));
        expect(first.body.nextCursor).toBe(ids[1]);
        return http('GET', `/v1/admin/customers?email=${encodeURIComponent(email)}&limit=2&cursor=${first.body.nextCursor}`, operator);
      })
      .then(
        expectResponse(200, { body: { nextCursor: null } }),
        expectThat(({ response }) => {
          expect(response.body.items.map((c: { id: string }) => c.id)).toEqual(ids.slice(2));
          expect(response.body.items[0]).toMatchObject({
            email,
            status: 'active',
            apiKeys: [expect.objectContaining({ status: 'active' })],
          });
          expect(response.text).not.toContain('keyHash');
        }),
      );
  });

  it('filters by status', () => {
    const email = uniqueEmail();
    const [on, off] = tenantsOf(email, 2) as [SpecTenant, SpecTenant];
    return spec
      .given(customerRegistered(on), customerRegistered(off), customerSuspended(off, 'unpaid'))
      .when((http) => http('GET', `/v1/admin/customers?status=suspended&email=${encodeURIComponent(email)}`, operator))
      .then(
        expectResponse(200, {
          equals: { items: [expect.objectContaining({ id: off.id, status: 'suspended', statusReason: 'unpaid' })], nextCursor: null },
        }),
      );
  });

  it.each([
    ['a limit over 200', 'limit=201', 'limit'],
    ['a limit of zero', 'limit=0', 'limit'],
    ['an unknown status', 'status=gone', 'status'],
    ['a cursor not from a page', 'cursor=42', 'cursor'],
    ['an unknown parameter', 'sort=name', 'sort'],
  ])('refuses %s, naming the parameter', (_name, query, path) =>
    spec
      .given()
      .when((http) => http('GET', `/v1/admin/customers?${query}`, operator))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } })),
  );

  it('refuses a tenant key', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('GET', '/v1/admin/customers', { token: acme.key.key }))
      .then(expectProblem(401, 'invalid-api-key'));
  });
});
