import { describe, expect, it } from 'vitest';
import {
  apiKeyIssued,
  apiKeyRevoked,
  apiKeyRotated,
  customerRegistered,
  customerSuspended,
  specApiKey,
  specLegacyApiKey,
  specTenant,
  withWrongSecret,
  type SpecTenant,
} from '../support/given-events';
import {
  expectNewEvents,
  expectProblem,
  expectResponse,
  expectThat,
  useRouteSpec,
  type Expectation,
  type RequestOptions,
} from '../support/route-spec';
import { SPEC_OPERATOR_TOKEN, specConsistency, storedApiKeyHash } from '../support/spec-secrets';

const KEY_FORMAT = /^ok_live_[0-9a-f]{16}_[0-9a-f]{12}_[A-Za-z0-9_-]{43}_[0-9A-Za-z]{6}$/;
const secondsAgo = (seconds: number) => new Date(Date.now() - seconds * 1000);

/** A tenant's key management (command-service/src/customers, the list in query-service): list, add, rotate, revoke. */
describe('GET /v1/customer/api-keys', () => {
  const spec = useRouteSpec();

  it('lists every key with its name, scopes, status and grace end, never a secret or a hash', async () => {
    const acme = specTenant();
    const app = { ...specApiKey(acme.id, ['otp:write']) };
    const heir = specApiKey(acme.id, ['otp:write']);
    const gone = specApiKey(acme.id, ['audit:read']);
    const rotatedAt = secondsAgo(60);
    const { response } = await spec
      .given(
        customerRegistered(acme, secondsAgo(300)),
        apiKeyIssued(acme, app, secondsAgo(200)),
        apiKeyIssued(acme, gone, secondsAgo(150)),
        apiKeyRevoked(acme, gone, secondsAgo(100)),
        apiKeyRotated(acme, app, heir, 3600, rotatedAt),
      )
      .when((http) => http('GET', '/v1/customer/api-keys', { token: acme.key.key }))
      .thenOutcome(
        expectResponse(200, {
          body: {
            items: [
              { id: acme.key.id, prefix: acme.key.prefix, status: 'active' },
              { id: app.id, status: 'rotated', graceEndsAt: new Date(rotatedAt.getTime() + 3_600_000).toISOString() },
              { id: gone.id, status: 'revoked', revokedAt: expect.any(String) },
              { id: heir.id, prefix: heir.prefix, scopes: ['otp:write'], status: 'active' },
            ],
          },
        }),
      );
    expect(response.text).not.toContain('keyHash');
    for (const key of [acme.key, app, heir, gone]) expect(response.text).not.toContain(key.key.slice(key.prefix.length));
  });

  it('shows a rotated key whose grace has run out as expired', () => {
    const acme = specTenant();
    const heir = specApiKey(acme.id);
    return spec
      .given(customerRegistered(acme, secondsAgo(300)), apiKeyRotated(acme, acme.key, heir, 10, secondsAgo(60)))
      .when((http) => http('GET', '/v1/customer/api-keys', { token: heir.key }))
      .then(
        expectResponse(200, {
          body: {
            items: [
              { id: acme.key.id, status: 'expired' },
              { id: heir.id, status: 'active' },
            ],
          },
        }),
      );
  });

  it.each<[string, (tenant: SpecTenant) => RequestOptions, number, string]>([
    ['no credential', () => ({}), 401, 'unauthenticated'],
    ['a key with a wrong secret', (tenant) => ({ token: withWrongSecret(tenant.key) }), 401, 'invalid-api-key'],
    ['the operator token', () => ({ token: SPEC_OPERATOR_TOKEN }), 401, 'invalid-api-key'],
  ])('refuses %s', (_name, auth, status, type) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('GET', '/v1/customer/api-keys', auth(acme)))
      .then(expectProblem(status, type));
  });

  it('refuses a key without customer:admin', () => {
    const acme = specTenant();
    const analyst = specApiKey(acme.id, ['analytics:read']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, analyst))
      .when((http) => http('GET', '/v1/customer/api-keys', { token: analyst.key }))
      .then(expectProblem(403, 'insufficient-scope', { body: { requiredScope: 'customer:admin' } }));
  });
});

describe('POST /v1/customer/api-keys', () => {
  const spec = useRouteSpec();

  it('issues a named key, shown once', async () => {
    const acme = specTenant();
    const { response, newEvents } = await spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/customer/api-keys', { token: acme.key.key, body: { name: 'checkout app', scopes: ['otp:write'] } }))
      .thenOutcome(
        expectResponse(201, { body: { key: expect.stringMatching(KEY_FORMAT), name: 'checkout app', scopes: ['otp:write'] } }),
        expectNewEvents([{ type: 'ApiKeyIssued', data: { name: 'checkout app', scopes: ['otp:write'] } }]),
      );
    expect(response.headers.get('location')).toBe(`/v1/customer/api-keys/${response.body.id}`);
    expect(newEvents[0]!.data).toMatchObject({ keyHash: storedApiKeyHash(response.body.key) });
  });

  it('issues a key through the old path, which now redirects here keeping method and body', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/api-keys', { token: acme.key.key, body: { scopes: ['audit:read'] } }))
      .then(expectResponse(201, { body: { scopes: ['audit:read'] } }), expectNewEvents([{ type: 'ApiKeyIssued' }]));
  });

  it.each([
    ['an empty name', { name: ' ', scopes: ['otp:write'] }, 'name'],
    ['a name over 100 characters', { name: 'x'.repeat(101), scopes: ['otp:write'] }, 'name'],
  ])('refuses %s', (_name, body, path) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('POST', '/v1/customer/api-keys', { token: acme.key.key, body }))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } }));
  });
});

describe('keys of both formats', () => {
  const spec = useRouteSpec();

  it('still lets in a key issued before the checksum', () => {
    const acme = specTenant();
    const old = specLegacyApiKey(acme.id);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, old))
      .when((http) => http('GET', '/v1/customer/api-keys', { token: old.key }))
      .then(expectResponse(200));
  });

  it('refuses a key with one character mistyped: the checksum no longer matches', () => {
    const acme = specTenant();
    const at = acme.key.prefix.length + 5;
    const typo = `${acme.key.key.slice(0, at)}${acme.key.key[at] === 'a' ? 'b' : 'a'}${acme.key.key.slice(at + 1)}`;
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('GET', '/v1/customer/api-keys', { token: typo }))
      .then(expectProblem(401, 'invalid-api-key'));
  });
});

describe('POST /v1/customer/api-keys/{id}/rotate', () => {
  const spec = useRouteSpec();
  const rotate =
    (tenant: SpecTenant, keyId: string, body: unknown = {}, token = tenant.key.key) =>
    (http: Parameters<Parameters<ReturnType<typeof spec.given>['when']>[0]>[0]) =>
      http('POST', `/v1/customer/api-keys/${keyId}/rotate`, { token, body });

  it('answers a new key with the same scopes and name; the old one works for seven days by default', async () => {
    const acme = specTenant();
    const app = specApiKey(acme.id, ['otp:write']);
    let rotated: any;
    await spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app))
      .when(async (http) => {
        const res = await rotate(acme, app.id)(http);
        rotated = res.body;
        // The old key is still in: it lists the keys with the new one among them.
        return http('GET', '/v1/customer/api-keys', {
          token: acme.key.key,
          headers: { 'x-min-position': res.headers.get('x-event-position')! },
        });
      })
      .then(
        expectResponse(200),
        expectThat(({ response }) => {
          expect(rotated).toMatchObject({ key: expect.stringMatching(KEY_FORMAT), scopes: ['otp:write'], replaces: app.id });
          const week = Date.parse(rotated.graceEndsAt) - Date.now();
          expect(week).toBeGreaterThan(7 * 86_400_000 - 60_000);
          expect(week).toBeLessThanOrEqual(7 * 86_400_000);
          expect(response.body.items).toEqual(
            expect.arrayContaining([
              expect.objectContaining({ id: app.id, status: 'rotated', graceEndsAt: rotated.graceEndsAt }),
              expect.objectContaining({ id: rotated.id, status: 'active' }),
            ]),
          );
        }),
        expectNewEvents([
          { type: 'ApiKeyRotated', data: { keyId: app.id, scopes: ['otp:write'] }, metadata: { actor: `apiKey:${acme.key.id}` } },
        ]),
      );
  });

  it('keeps the old key working during its grace', () => {
    const acme = specTenant();
    const heir = specApiKey(acme.id);
    return spec
      .given(customerRegistered(acme, secondsAgo(120)), apiKeyRotated(acme, acme.key, heir, 3600, secondsAgo(60)))
      .when((http) => http('GET', '/v1/customer/api-keys', { token: acme.key.key }))
      .then(expectResponse(200));
  });

  it('refuses the old key once its short grace has run out, and lets the new one in', async () => {
    const acme = specTenant();
    const heir = specApiKey(acme.id);
    const given = [customerRegistered(acme, secondsAgo(120)), apiKeyRotated(acme, acme.key, heir, 5, secondsAgo(60))];
    await spec
      .given(...given)
      .when((http) => http('GET', '/v1/customer/api-keys', { token: acme.key.key }))
      .then(expectProblem(401, 'invalid-api-key'));
    await spec
      .given()
      .when((http) => http('GET', '/v1/customer/api-keys', { token: heir.key }))
      .then(expectResponse(200));
  });

  it('stops the old key at once with a grace of zero', () => {
    const acme = specTenant();
    const app = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app))
      .when(async (http) => {
        await rotate(acme, app.id, { graceSeconds: 0 })(http);
        return http('POST', '/v1/otp/request', { token: app.key, body: { email: 'ann@example.test' } });
      })
      .then(expectProblem(401, 'invalid-api-key'), expectNewEvents([{ type: 'ApiKeyRotated', data: { keyId: app.id } }]));
  });

  it('refuses a key already rotated', () => {
    const acme = specTenant();
    const app = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app), apiKeyRotated(acme, app, specApiKey(acme.id), 3600))
      .when(rotate(acme, app.id))
      .then(expectProblem(409, 'conflict', { body: { code: 'key_not_active' } }));
  });

  it('refuses a key it never issued', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(rotate(acme, 'key_0123456789ab'))
      .then(expectProblem(404, 'not-found', { body: { code: 'key_not_found' } }));
  });

  it('refuses a key of another tenant as one it never issued', () => {
    const acme = specTenant();
    const globex = specTenant('Globex');
    return spec
      .given(customerRegistered(acme), customerRegistered(globex))
      .when(rotate(acme, globex.key.id))
      .then(expectProblem(404, 'not-found'));
  });

  it.each([
    ['a negative grace', { graceSeconds: -1 }, 'graceSeconds'],
    ['a grace over 30 days', { graceSeconds: 30 * 86_400 + 1 }, 'graceSeconds'],
    ['a fractional grace', { graceSeconds: 1.5 }, 'graceSeconds'],
    ['an unknown field', { grace: 5 }, 'grace'],
  ])('refuses %s', (_name, body, path) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(rotate(acme, acme.key.id, body))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path })] } }));
  });

  it('refuses a key id that is not one', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(rotate(acme, 'nope'))
      .then(expectProblem(400, 'validation', { body: { errors: [expect.objectContaining({ path: 'id' })] } }));
  });

  it('refuses a key without customer:admin', () => {
    const acme = specTenant();
    const writer = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, writer))
      .when(rotate(acme, writer.id, {}, writer.key))
      .then(expectProblem(403, 'insufficient-scope'));
  });
});

describe('DELETE /v1/customer/api-keys/{id}', () => {
  const spec = useRouteSpec();

  it('revokes a key at once: its next request is refused', () => {
    const acme = specTenant();
    const app = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app))
      .when(async (http) => {
        const res = await http('DELETE', `/v1/customer/api-keys/${app.id}`, { token: acme.key.key });
        expect(res.status).toBe(204);
        return http('POST', '/v1/otp/request', { token: app.key, body: { email: 'ann@example.test' } });
      })
      .then(expectProblem(401, 'invalid-api-key'), expectNewEvents([{ type: 'ApiKeyRevoked', data: { keyId: app.id } }]));
  });

  it('refuses a revoked key presented with its secret', () => {
    const acme = specTenant();
    const app = specApiKey(acme.id);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app), apiKeyRevoked(acme, app))
      .when((http) => http('GET', '/v1/customer/api-keys', { token: app.key }))
      .then(expectProblem(401, 'invalid-api-key'));
  });

  it('ends a rotated key in its grace at once', () => {
    const acme = specTenant();
    const heir = specApiKey(acme.id);
    return spec
      .given(customerRegistered(acme), apiKeyRotated(acme, acme.key, heir, 3600))
      .when((http) => http('DELETE', `/v1/customer/api-keys/${acme.key.id}`, { token: heir.key }))
      .then(expectResponse(204), expectNewEvents([{ type: 'ApiKeyRevoked', data: { keyId: acme.key.id } }]));
  });

  it('refuses to revoke the last key with customer:admin, recording nothing', () => {
    const acme = specTenant();
    const writer = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, writer))
      .when((http) => http('DELETE', `/v1/customer/api-keys/${acme.key.id}`, { token: acme.key.key }))
      .then(expectProblem(409, 'conflict', { body: { code: 'last_admin_key' } }));
  });

  it('answers 204 and records nothing for a key already revoked', () => {
    const acme = specTenant();
    const app = specApiKey(acme.id);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app), apiKeyRevoked(acme, app))
      .when((http) => http('DELETE', `/v1/customer/api-keys/${app.id}`, { token: acme.key.key }))
      .then(expectResponse(204, { headers: { 'x-event-position': null } }));
  });

  it('refuses a key it never issued', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when((http) => http('DELETE', '/v1/customer/api-keys/key_0123456789ab', { token: acme.key.key }))
      .then(expectProblem(404, 'not-found', { body: { code: 'key_not_found' } }));
  });

  it('refuses a key without customer:admin', () => {
    const acme = specTenant();
    const writer = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, writer))
      .when((http) => http('DELETE', `/v1/customer/api-keys/${writer.id}`, { token: writer.key }))
      .then(expectProblem(403, 'insufficient-scope'));
  });
});

describe('a suspended customer', () => {
  const spec = useRouteSpec();

  it('gets 403 on every command with a real key', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), customerSuspended(acme))
      .when((http) => http('POST', '/v1/otp/request', { token: acme.key.key, body: { email: 'ann@example.test' } }))
      .then(expectProblem(403, 'customer-inactive'));
  });

  it('tells a caller without the secret nothing: 401 as for any wrong key', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), customerSuspended(acme))
      .when((http) => http('POST', '/v1/otp/request', { token: withWrongSecret(acme.key), body: { email: 'ann@example.test' } }))
      .then(expectProblem(401, 'invalid-api-key'));
  });

  it('cannot manage its keys either', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), customerSuspended(acme))
      .when((http) => http('POST', '/v1/customer/api-keys', { token: acme.key.key, body: { scopes: ['otp:write'] } }))
      .then(expectProblem(403, 'customer-inactive'));
  });

  it('is refused from the request after the suspension on', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(async (http) => {
        const res = await http('POST', `/v1/admin/customers/${acme.id}/suspend`, { token: SPEC_OPERATOR_TOKEN, body: { reason: 'abuse' } });
        expect(res.status).toBe(200);
        return http('GET', '/v1/customer/api-keys', { token: acme.key.key });
      })
      .then(expectProblem(403, 'customer-inactive'), expectNewEvents([{ type: 'CustomerSuspended', data: { reason: 'abuse' } }]));
  });
});

describe('the last use of a key', () => {
  const spec = useRouteSpec({ recordKeyUse: true });

  it('is recorded once a minute, not once a request, on a stream of its own, and listed', () => {
    const acme = specTenant();
    const app = specApiKey(acme.id, ['otp:write']);
    // Which uses land depends on the clock's minute (and the listing's own key may be recorded after the answer).
    const keyUses: Expectation = {
      aboutEvents: true,
      check: ({ newEvents }) => {
        expect(newEvents.filter((e) => e.type === 'ApiKeyUsed').every((e) => e.streamName === `keyuse-${acme.id}`)).toBe(true);
        const uses = newEvents.filter((e) => e.type === 'ApiKeyUsed' && e.data.keyId === app.id);
        // Three requests within a minute, or two across its end.
        expect(uses.length).toBeGreaterThanOrEqual(1);
        expect(uses.length).toBeLessThanOrEqual(2);
      },
    };
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app))
      .when(async (http) => {
        for (let i = 0; i < 3; i++) await http('POST', '/v1/otp/request', { token: app.key, body: { email: `ann${i}@example.test` } });
        await spec.app.keyUseIdle();
        const recorded = await spec.app.eventStore.readStream(`keyuse-${acme.id}`);
        return http('GET', '/v1/customer/api-keys', {
          token: acme.key.key,
          headers: { 'x-min-position': specConsistency.issue(acme.id, recorded.at(-1)!.position) },
        });
      })
      .then(
        expectThat(({ response }) => {
          const listed = response.body.items.find((key: { id: string }) => key.id === app.id);
          expect(listed.lastUsedAt).toMatch(/:00\.000Z$/);
        }),
        keyUses,
      );
  });
});
