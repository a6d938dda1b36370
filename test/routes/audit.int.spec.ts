import { describe, expect, it } from 'vitest';
import {
  apiKeyIssued,
  customerRegistered,
  loggedIn,
  otpRequested,
  specApiKey,
  specChallenge,
  specTenant,
  specUserId,
  withWrongSecret,
  wrongCodesTried,
  type SpecApiKey,
  type SpecTenant,
} from '../support/given-events';
import type { HttpCall } from '../support/http';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec, type RequestOptions } from '../support/route-spec';
import { SPEC_OPERATOR_TOKEN } from '../support/spec-secrets';

/** The audit trail of query-service/src/http: one entry per event of the tenant, in log order, paged by cursor. */
function history(tenant: SpecTenant) {
  const ada = specChallenge(tenant, 'ada@example.com', { at: new Date('2026-03-01T10:00:00.000Z') });
  const eve = specChallenge(tenant, 'eve@example.com', { at: new Date('2026-03-02T10:00:00.000Z') });
  return [
    customerRegistered(tenant, new Date('2026-03-01T09:00:00.000Z')),
    otpRequested(ada),
    wrongCodesTried(ada, 1),
    loggedIn(ada, specUserId()),
    otpRequested(eve),
    wrongCodesTried(eve, 5),
  ].flat();
}
const HISTORY_TYPES = [
  'CustomerRegistered',
  'ApiKeyIssued',
  'OtpRequested',
  'OtpVerificationFailed',
  'OtpVerified',
  'UserCreated',
  'UserLoggedIn',
  'SessionStarted',
  'OtpRequested',
  'OtpVerificationFailed',
  'OtpVerificationFailed',
  'OtpVerificationFailed',
  'OtpVerificationFailed',
  'OtpVerificationFailed',
  'OtpChallengeLocked',
];
const audit =
  (tenant: SpecTenant, query = '') =>
  (http: HttpCall) =>
    http('GET', `/v1/audit${query}`, { token: tenant.key.key });

describe('GET /v1/audit', () => {
  const spec = useRouteSpec();

  it("answers one entry per event of the tenant, in log order, with who, what, the outcome and the event's chain hash", () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(audit(acme, '?limit=1000'))
      .then(
        expectResponse(200, { body: { nextCursor: null } }),
        expectThat(async ({ response, app }) => {
          const items = response.body.items as Record<string, any>[];
          expect(items.map((i) => i.type)).toEqual(HISTORY_TYPES);
          const stored = (await app.eventStore.readAll({ maxCount: 100_000 })).filter((e) => e.metadata['tenantId'] === acme.id);
          expect(items.map((i) => [i.eventId, i.position, i.hash])).toEqual(stored.map((e) => [e.id, Number(e.position), e.metadata.hash]));
          expect(items[0]).toEqual({
            eventId: stored[0]!.id,
            tenantId: acme.id,
            position: Number(stored[0]!.position),
            occurredAt: '2026-03-01T09:00:00.000Z',
            type: 'CustomerRegistered',
            actor: 'operator',
            target: `customer-${acme.id}`,
            outcome: 'success',
            clientIp: '203.0.113.9',
            userAgent: 'route-spec/1.0',
            requestId: stored[0]!.metadata['requestId'],
            hash: stored[0]!.metadata.hash,
          });
          expect(items.find((i) => i.type === 'UserLoggedIn')).toMatchObject({
            actor: `apiKey:${acme.key.id}`,
            outcome: 'success',
            clientIp: expect.any(String),
            requestId: expect.any(String),
          });
          expect(items.find((i) => i.type === 'OtpChallengeLocked')).toMatchObject({ outcome: 'failure' });
          expect(items.filter((i) => i.type === 'OtpVerificationFailed').every((i) => i.outcome === 'failure')).toBe(true);
        }),
      );
  });

  it('walks the same entries in the same order in pages of two, the last page without a cursor', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(audit(acme, '?limit=2'))
      .then(
        expectResponse(200, {
          body: { items: [{ type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }], nextCursor: expect.stringMatching(/^[0-9]+$/) },
        }),
        expectThat(async ({ response }) => {
          const walked: string[] = response.body.items.map((i: { type: string }) => i.type);
          for (let cursor = response.body.nextCursor; cursor !== null;) {
            const page = await spec.http('GET', `/v1/audit?limit=2&cursor=${cursor}`, { token: acme.key.key });
            expect(page.status).toBe(200);
            expect(page.body.items.length).toBeLessThanOrEqual(2);
            walked.push(...page.body.items.map((i: { type: string }) => i.type));
            cursor = page.body.nextCursor;
          }
          expect(walked).toEqual(HISTORY_TYPES);
        }),
      );
  });

  it('keeps the entries from `from` up to, not including, `to`', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(audit(acme, '?from=2026-03-02&to=2026-03-02T10:00:00.001Z'))
      .then(expectResponse(200, { body: { items: HISTORY_TYPES.slice(8).map((type) => ({ type })), nextCursor: null } }));
  });

  it("keeps tenants apart: another tenant's trail holds only its own events", () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    return spec
      .given(history(acme), customerRegistered(globex))
      .when(audit(globex))
      .then(
        expectResponse(200, {
          body: {
            items: [
              { type: 'CustomerRegistered', tenantId: globex.id },
              { type: 'ApiKeyIssued', tenantId: globex.id },
            ],
            nextCursor: null,
          },
        }),
        expectThat(({ response }) => expect(response.body.items).toHaveLength(2)),
      );
  });

  it('reads its own write: a new key, then the read that waits for its X-Event-Position', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(async (http) => {
        const issued = await http('POST', '/v1/api-keys', { token: acme.key.key, body: { scopes: ['audit:read'] } });
        return http('GET', '/v1/audit', { token: acme.key.key, headers: { 'x-min-position': issued.headers.get('x-event-position')! } });
      })
      .then(
        expectResponse(200, {
          body: {
            items: [{ type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }, { type: 'ApiKeyIssued', actor: `apiKey:${acme.key.id}` }],
          },
        }),
        expectNewEvents([{ type: 'ApiKeyIssued', data: { scopes: ['audit:read'] } }]),
      );
  });

  it.each<[string, (tenant: SpecTenant, writer: SpecApiKey) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ['a malformed key', () => ({ token: 'sk_live_nope' }), 401, 'invalid-api-key'],
    ['a key with a wrong secret', (tenant) => ({ token: withWrongSecret(tenant.key) }), 401, 'invalid-api-key'],
    ['the operator token', () => ({ token: SPEC_OPERATOR_TOKEN }), 401, 'invalid-api-key'],
    ['a key without audit:read', (_tenant, writer) => ({ token: writer.key }), 403, 'insufficient-scope'],
    ['a malformed X-Min-Position', (tenant) => ({ token: tenant.key.key, headers: { 'x-min-position': '0x10' } }), 400, 'validation'],
  ])('refuses %s', (_name, request, status, type) => {
    const acme = specTenant();
    const writer = specApiKey(acme.id, ['otp:write', 'analytics:read']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, writer))
      .when((http) => http('GET', '/v1/audit', request(acme, writer)))
      .then(expectProblem(status, type));
  });

  it.each([
    ['a cursor that is not one', '?cursor=abc', 'cursor'],
    ['a cursor too long to be a position', `?cursor=${'9'.repeat(400)}`, 'cursor'],
    ['a limit of zero', '?limit=0', 'limit'],
    ['a limit over 1000', '?limit=1001', 'limit'],
    ['a limit that is not a number', '?limit=all', 'limit'],
    ['a date that is not a date', '?from=last-week', 'from'],
    ['an unknown parameter', '?tenant=cus_0000000000000000', 'tenant'],
  ])('refuses %s', (_name, query, path) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(audit(acme, query))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } }));
  });
});
