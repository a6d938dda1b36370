import { describe, expect, it } from 'vitest';
import { customerRegistered, specTenant } from '../support/given-events';
import type { SpecResponse } from '../support/route-spec';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { SPEC_OPERATOR_TOKEN } from '../support/spec-secrets';

/** What platform/src/http's shell answers for every service: health, metrics, the OpenAPI document, unknown routes. */
describe('the HTTP shell', () => {
  const spec = useRouteSpec();

  it('answers GET /health/live while the process runs', () =>
    spec
      .given()
      .when((http) => http('GET', '/health/live'))
      .then(expectResponse(200, { equals: { status: 'ok' } })));

  it('answers GET /health/ready with each check, and only ok or failing for each', () =>
    spec
      .given()
      .when((http) => http('GET', '/health/ready'))
      .then(expectResponse(200, { equals: { status: 'ok', checks: { eventStore: 'ok', readModels: 'ok', projections: 'ok' } } })));

  it("answers GET /metrics in the Prometheus format, with request durations and the projections' state", () =>
    spec
      .given()
      .when((http) => http('GET', '/metrics', { token: SPEC_OPERATOR_TOKEN }))
      .then(
        expectResponse(200, { headers: { 'content-type': /^text\/plain/ }, text: /http_request_duration_seconds/ }),
        expectThat(({ response }) => {
          for (const projection of ['customers', 'usage', 'audit'])
            expect(response.text).toContain(`projection_state{projection="${projection}",state="live"} 1`);
        }),
      ));

  it.each([
    ['no credential', undefined, 401, 'unauthenticated'],
    ['a token that is not the operator token', `${SPEC_OPERATOR_TOKEN}x`, 401, 'invalid-api-key'],
  ])("refuses GET /metrics with %s: it is the operator's by default", (_name, token, status, type) =>
    spec
      .given()
      .when((http) => http('GET', '/metrics', token === undefined ? {} : { token }))
      .then(expectProblem(status, type)),
  );

  it('counts requests and their latency per route template, method and status, never per raw path', () => {
    const tenant = specTenant();
    return spec
      .given(customerRegistered(tenant))
      .when(async (http) => {
        await http('GET', `/v1/admin/customers/${tenant.id}`, { token: SPEC_OPERATOR_TOKEN });
        await http('GET', '/v1/admin/customers/cus_0000000000000000', { token: SPEC_OPERATOR_TOKEN });
        return http('GET', '/metrics', { token: SPEC_OPERATOR_TOKEN });
      })
      .then(
        expectResponse(200),
        expectThat(({ response }) => {
          const labels = 'method="GET",route="/v1/admin/customers/:id"';
          expect(response.text).toMatch(new RegExp(`^http_requests_total\\{${labels},status="200"\\} [1-9]`, 'm'));
          expect(response.text).toMatch(new RegExp(`^http_requests_total\\{${labels},status="404"\\} [1-9]`, 'm'));
          expect(response.text).toMatch(new RegExp(`^http_request_duration_seconds_count\\{${labels},status="200"\\} [1-9]`, 'm'));
          expect(response.text).not.toContain(tenant.id);
        }),
      );
  });

  it('counts the events appended through the service by type', () => {
    let before = '';
    const count = (text: string, type: string) =>
      Number(new RegExp(`^events_appended_total\\{type="${type}"\\} ([0-9]+)$`, 'm').exec(text)?.[1] ?? 0);
    return spec
      .given(customerRegistered(specTenant()))
      .when(async (http) => {
        before = (await http('GET', '/metrics', { token: SPEC_OPERATOR_TOKEN })).text;
        await http('POST', '/v1/admin/customers', { token: SPEC_OPERATOR_TOKEN, body: { name: 'Acme', email: 'ops@acme.test' } });
        return http('GET', '/metrics', { token: SPEC_OPERATOR_TOKEN });
      })
      .then(
        expectResponse(200),
        expectNewEvents([{ type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }]),
        // The given events went into the store directly: only what the service appended counts.
        expectThat(({ response }) => {
          expect(count(response.text, 'CustomerRegistered') - count(before, 'CustomerRegistered')).toBe(1);
          expect(count(response.text, 'ApiKeyIssued') - count(before, 'ApiKeyIssued')).toBe(1);
        }),
      );
  });

  it('answers GET /openapi.json with a document that names every route', () =>
    spec
      .given()
      .when((http) => http('GET', '/openapi.json'))
      .then(
        expectResponse(200, { body: { openapi: '3.1.0' } }),
        expectThat(({ response }) =>
          expect(Object.keys(response.body.paths)).toEqual(
            expect.arrayContaining([
              '/v1/admin/customers',
              '/v1/admin/customers/{id}',
              '/v1/customer',
              '/v1/api-keys',
              '/v1/otp/request',
              '/v1/otp/verify',
              '/.well-known/jwks.json',
              '/v1/usage',
              '/v1/analytics/summary',
              '/v1/audit',
              '/health/live',
              '/health/ready',
              '/metrics',
              '/v1/tokens/refresh',
              '/v1/tokens/revoke',
              '/v1/tokens/introspect',
              '/v1/users/me',
              '/v1/signup',
              '/v1/signup/verify',
              '/v1/service/customers',
              '/v1/service/customers/{id}',
              '/v1/customer/domains',
              '/v1/customer/domains/{domain}/verify',
            ]),
          ),
        ),
      ));

  it.each([
    ['an unknown route', 'GET', '/v1/nothing-here'],
    ['a method a route does not take', 'DELETE', '/v1/customer'],
  ])('answers %s with a 404 problem', (_name, method, path) =>
    spec
      .given()
      .when((http) => http(method, path, { token: SPEC_OPERATOR_TOKEN }))
      .then(expectProblem(404, 'not-found', { body: { detail: `no route for ${method} ${path}` } })),
  );

  it('keeps a plain X-Request-Id the client sends, and answers with it', () =>
    spec
      .given()
      .when((http) => http('GET', '/health/live', { headers: { 'x-request-id': 'client-id.1:a_b-c' } }))
      .then(expectResponse(200, { headers: { 'x-request-id': 'client-id.1:a_b-c' } })));

  it('replaces an X-Request-Id that could inject into logs or headers with its own', () =>
    spec
      .given()
      .when((http) => http('GET', '/health/live', { headers: { 'x-request-id': `a b${'x'.repeat(200)}` } }))
      .then(expectResponse(200, { headers: { 'x-request-id': /^[0-9a-f-]{36}$/ } })));

  it('gives refusals the request id too, and says nothing cacheable', () =>
    spec
      .given()
      .when((http) => http('GET', '/v1/customer'))
      .then(
        expectProblem(401, 'unauthenticated', {
          headers: { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'www-authenticate': 'Bearer' },
        }),
        expectThat(({ response }: { response: SpecResponse }) => expect(response.body.instance).toBe('/v1/customer')),
      ));
});
