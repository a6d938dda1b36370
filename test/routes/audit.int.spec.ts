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
import { SPEC_OPERATOR_TOKEN, specConsistency } from '../support/spec-secrets';

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
          // The tenant's own numbering: 1, 2, 3... over its events in log order, whatever other tenants wrote between.
          expect(items.map((i) => [i.eventId, i.seq, i.hash])).toEqual(stored.map((e, i) => [e.id, i + 1, e.metadata.hash]));
          expect(items.some((i) => 'position' in i)).toBe(false);
          expect(items[0]).toEqual({
            eventId: stored[0]!.id,
            tenantId: acme.id,
            seq: 1,
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
          body: {
            items: [{ type: 'CustomerRegistered' }, { type: 'ApiKeyIssued' }],
            nextCursor: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
          },
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

  it('walks newest first with order=desc, in pages of three, the cursor continuing that way', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(audit(acme, '?limit=3&order=desc'))
      .then(
        expectResponse(200, { body: { items: [{ type: 'OtpChallengeLocked' }, { type: 'OtpVerificationFailed' }, {}] } }),
        expectThat(async ({ response }) => {
          const walked: number[] = response.body.items.map((i: { seq: number }) => i.seq);
          for (let cursor = response.body.nextCursor; cursor !== null;) {
            const page = await spec.http('GET', `/v1/audit?limit=3&order=desc&cursor=${cursor}`, { token: acme.key.key });
            walked.push(...page.body.items.map((i: { seq: number }) => i.seq));
            cursor = page.body.nextCursor;
          }
          expect(walked).toEqual(HISTORY_TYPES.map((_, i) => HISTORY_TYPES.length - i));
        }),
      );
  });

  it('pages a window late in the history by its cursor, and never past the window', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(audit(acme, '?from=2026-03-02&limit=4'))
      .then(
        expectThat(async ({ response }) => {
          expect(response.status).toBe(200);
          const first = response.body.items.map((i: { seq: number }) => i.seq);
          const next = await spec.http('GET', `/v1/audit?from=2026-03-02&limit=4&cursor=${response.body.nextCursor}`, {
            token: acme.key.key,
          });
          expect([...first, ...next.body.items.map((i: { seq: number }) => i.seq)]).toEqual([9, 10, 11, 12, 13, 14, 15]);
          expect(next.body.nextCursor).toBeNull();
          const earlier = await spec.http('GET', `/v1/audit?to=2026-03-02&cursor=${response.body.nextCursor}`, { token: acme.key.key });
          expect(earlier.body).toEqual({ items: [], nextCursor: null });
        }),
      );
  });

  it('keeps only the entries of one type, or of one actor, matched exactly', () => {
    const acme = specTenant();
    return spec
      .given(history(acme))
      .when(audit(acme, '?type=OtpVerificationFailed&limit=3'))
      .then(
        expectResponse(200, { body: { items: [{ seq: 4 }, { seq: 10 }, { seq: 11 }], nextCursor: expect.any(String) } }),
        expectThat(async () => {
          const byOperator = await spec.http('GET', '/v1/audit?actor=operator', { token: acme.key.key });
          expect(byOperator.body.items.map((i: { type: string }) => i.type)).toEqual(['CustomerRegistered', 'ApiKeyIssued']);
          const partial = await spec.http('GET', '/v1/audit?type=OtpVerification', { token: acme.key.key });
          expect(partial.body).toEqual({ items: [], nextCursor: null });
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

  it("learns nothing from another tenant's consistency token: refused exactly as a forged one, whether or not it is reached", () => {
    const acme = specTenant('Acme');
    const globex = specTenant('Globex');
    return spec
      .given(customerRegistered(acme), customerRegistered(globex))
      .when(async (http) => {
        const issued = await http('POST', '/v1/customer/api-keys', { token: acme.key.key, body: { scopes: ['audit:read'] } });
        return http('GET', '/v1/audit', { token: globex.key.key, headers: { 'x-min-position': issued.headers.get('x-event-position')! } });
      })
      .then(
        expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path: 'X-Min-Position' })] } }),
        expectNewEvents([{ type: 'ApiKeyIssued' }]),
        expectThat(async ({ response, newEvents }) => {
          const unreached = specConsistency.issue(acme.id, newEvents[0]!.position + 1_000_000n);
          const forged = await spec.http('GET', '/v1/audit', { token: globex.key.key, headers: { 'x-min-position': unreached } });
          const raw = await spec.http('GET', '/v1/audit', { token: globex.key.key, headers: { 'x-min-position': '1' } });
          const { instance: _a, ...refused } = response.body as Record<string, unknown>;
          for (const other of [forged, raw]) {
            const { instance: _b, ...body } = other.body as Record<string, unknown>;
            expect([other.status, body]).toEqual([400, refused]);
          }
        }),
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
    ['a cursor too long to be one', `?cursor=${'9'.repeat(400)}`, 'cursor'],
    ['a forged cursor of the wrong shape', `?cursor=${Buffer.from('{"position":5}').toString('base64url')}`, 'cursor'],
    ['a forged cursor with a sequence of zero', `?cursor=${Buffer.from('["2026-03-01T09:00:00.000Z",0]').toString('base64url')}`, 'cursor'],
    ['a forged cursor with a time that is not one', `?cursor=${Buffer.from('["yesterday",3]').toString('base64url')}`, 'cursor'],
    ['an order that is neither asc nor desc', '?order=newest', 'order'],
    ['a reversed range', '?from=2026-03-02&to=2026-03-01', 'to'],
    ['an empty type', '?type=', 'type'],
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
