import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TENANT_CONFIG, type TenantConfig } from '@otp/contracts';
import { openTenantSecret } from '@otp/command-service';
import {
  apiKeyIssued,
  customerRegistered,
  domainAdded,
  domainVerified,
  specApiKey,
  specTenant,
  tenantConfigChanged,
  type SpecTenant,
} from '../support/given-events';
import type { HttpCall } from '../support/http';
import { SPEC_SIGNING_KEY_ENCRYPTION_KEY } from '../support/route-app';
import { expectNewEvents, expectProblem, expectResponse, expectThat, useRouteSpec } from '../support/route-spec';
import { CONSISTENCY_TOKEN } from '../support/spec-secrets';

/** The config routes of command-service/src/tenant-config: a tenant reads and writes its own versioned settings. */
const RESEND_KEY = 're_live_3f9a0c2b7d4e4f1a8b6c';
const six: TenantConfig = { ...DEFAULT_TENANT_CONFIG, otp: { ...DEFAULT_TENANT_CONFIG.otp, length: 6 } };
const seven: TenantConfig = { ...DEFAULT_TENANT_CONFIG, otp: { ...DEFAULT_TENANT_CONFIG.otp, length: 7 } };
/** The document as GET answers it: the provider without its key. */
const viewOf = (config: TenantConfig, version: number, changedAt: string | null) => ({ version, changedAt, ...config });

const get =
  (tenant: SpecTenant, query = '') =>
  (http: HttpCall) =>
    http('GET', `/v1/customer/config${query}`, { token: tenant.key.key });
const write = (method: 'PUT' | 'PATCH', tenant: SpecTenant, body: unknown, ifMatch?: string) => (http: HttpCall) =>
  http(method, '/v1/customer/config', { token: tenant.key.key, body, headers: ifMatch !== undefined ? { 'if-match': ifMatch } : {} });

describe('GET /v1/customer/config', () => {
  const spec = useRouteSpec();

  it('answers the defaults as version 0 before the tenant writes anything', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(get(acme))
      .then(expectResponse(200, { equals: viewOf(DEFAULT_TENANT_CONFIG, 0, null), headers: { etag: '"0"', 'cache-control': 'no-store' } }));
  });

  it('answers the current version with its ETag', () => {
    const acme = specTenant();
    const at = new Date('2026-02-01T10:00:00.000Z');
    return spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six, at), tenantConfigChanged(acme, 2, seven, at))
      .when(get(acme))
      .then(expectResponse(200, { equals: viewOf(seven, 2, at.toISOString()), headers: { etag: '"2"' } }));
  });

  it('answers an earlier version with ?version=N, and 0 is the defaults', async () => {
    const acme = specTenant();
    const at = new Date('2026-02-01T10:00:00.000Z');
    await spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six, at), tenantConfigChanged(acme, 2, seven))
      .when(get(acme, '?version=1'))
      .then(expectResponse(200, { equals: viewOf(six, 1, at.toISOString()), headers: { etag: '"1"' } }));
    await spec
      .given()
      .when(get(acme, '?version=0'))
      .then(expectResponse(200, { body: { version: 0, otp: DEFAULT_TENANT_CONFIG.otp } }));
  });

  it('answers 404 for a version never written', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six))
      .when(get(acme, '?version=2'))
      .then(expectProblem(404, 'not-found'));
  });

  it('answers the version in force at ?asOf, and the defaults before the first write', async () => {
    const acme = specTenant();
    const first = new Date('2026-02-01T10:00:00.000Z');
    const second = new Date('2026-02-03T10:00:00.000Z');
    await spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six, first), tenantConfigChanged(acme, 2, seven, second))
      .when(get(acme, '?asOf=2026-02-02T00:00:00Z'))
      .then(expectResponse(200, { body: { version: 1, otp: six.otp }, headers: { etag: '"1"' } }));
    await spec
      .given()
      .when(get(acme, `?asOf=${encodeURIComponent(second.toISOString())}`))
      .then(expectResponse(200, { body: { version: 2 } }));
    await spec
      .given()
      .when(get(acme, '?asOf=2026-01-01T00:00:00%2B02:00'))
      .then(expectResponse(200, { body: { version: 0 } }));
  });

  it.each(['?version=one', '?version=-1', '?asOf=yesterday', '?version=1&asOf=2026-02-02T00:00:00Z', '?verison=1'])(
    'refuses %s',
    (query) => {
      const acme = specTenant();
      return spec.given(customerRegistered(acme)).when(get(acme, query)).then(expectProblem(400, 'validation'));
    },
  );

  it('refuses a key without customer:admin', () => {
    const acme = specTenant();
    const app = specApiKey(acme.id, ['otp:write']);
    return spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app))
      .when((http) => http('GET', '/v1/customer/config', { token: app.key }))
      .then(expectProblem(403, 'insufficient-scope'));
  });

  it('refuses a request without a key', () =>
    spec
      .given()
      .when((http) => http('GET', '/v1/customer/config'))
      .then(expectProblem(401, 'unauthenticated')));
});

describe('PUT /v1/customer/config', () => {
  const spec = useRouteSpec();
  const smtpBody = (config: TenantConfig) => config;

  it('writes the whole document as version 1, answered with its ETag', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(write('PUT', acme, smtpBody(six)))
      .then(
        expectResponse(200, { body: { ...six, version: 1 }, headers: { etag: '"1"', 'x-event-position': CONSISTENCY_TOKEN } }),
        expectNewEvents([
          {
            type: 'TenantConfigChanged',
            streamName: `config-${acme.id}`,
            data: { customerId: acme.id, version: 1, config: six },
            metadata: { actor: `apiKey:${acme.key.id}`, tenantId: acme.id },
          },
        ]),
      );
  });

  it('appends nothing for the document that holds, and answers its version', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six))
      .when(write('PUT', acme, six))
      .then(expectResponse(200, { body: { version: 1 }, headers: { etag: '"1"', 'x-event-position': null } }));
  });

  it('writes over the version If-Match names when it is current', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six))
      .when(write('PUT', acme, seven, '"1"'))
      .then(
        expectResponse(200, { body: { version: 2, otp: seven.otp }, headers: { etag: '"2"' } }),
        expectNewEvents([{ type: 'TenantConfigChanged', data: { version: 2, config: seven } }]),
      );
  });

  it('refuses a stale If-Match with 412 and changes nothing', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six), tenantConfigChanged(acme, 2, seven))
      .when(write('PUT', acme, six, '"1"'))
      .then(
        expectProblem(412, 'precondition-failed', {
          body: { code: 'config_version_conflict', detail: 'the config is at version 2, not 1' },
          headers: { etag: '"2"' },
        }),
      );
  });

  it('takes If-Match: * as whatever is current', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six))
      .when(write('PUT', acme, seven, '*'))
      .then(expectResponse(200, { body: { version: 2 } }), expectNewEvents([{ type: 'TenantConfigChanged' }]));
  });

  it.each(['1', 'W/"1"', '"1", "2"', '"01"', '"x"'])('refuses the malformed If-Match %s', (ifMatch) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six))
      .when(write('PUT', acme, seven, ifMatch))
      .then(expectProblem(400, 'validation', { body: { errors: [{ path: 'If-Match' }] } }));
  });

  it('refuses a text template without {{otp}}', () => {
    const acme = specTenant();
    const body = { ...six, email: { ...six.email, text: 'Welcome to {{appName}}' } };
    return spec
      .given(customerRegistered(acme))
      .when(write('PUT', acme, body))
      .then(
        expectProblem(400, 'validation', {
          body: { code: 'invalid_template', detail: expect.stringMatching(/^email\.text must contain \{\{otp\}\}/) },
        }),
      );
  });

  it('refuses an unknown variable, naming the field and the variable', () => {
    const acme = specTenant();
    const body = { ...six, email: { ...six.email, subject: 'Hi {{firstName}}', html: '<b>{{otp}}</b>' } };
    return spec
      .given(customerRegistered(acme))
      .when(write('PUT', acme, body))
      .then(
        expectProblem(400, 'validation', {
          body: { code: 'invalid_template', detail: expect.stringMatching(/^email\.subject uses \{\{firstName\}\}/) },
        }),
      );
  });

  it('refuses a document with a section left out or a value out of bounds, naming each field', () => {
    const acme = specTenant();
    const { quotas: _left, ...partial } = six;
    return spec
      .given(customerRegistered(acme))
      .when(write('PUT', acme, { ...partial, otp: { ...six.otp, length: 12 } }))
      .then(
        expectProblem(400, 'validation'),
        expectThat(({ response }) =>
          expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['otp.length', 'quotas']),
        ),
      );
  });

  it.each(['ops@acme', 'Acme <ops@acme.test', 'a b@acme.test'])('refuses the sender %s', (from) => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(write('PUT', acme, { ...six, email: { ...six.email, from } }))
      .then(expectProblem(400, 'validation', { body: { errors: [{ path: 'email.from' }] } }));
  });

  it('refuses a from address on a sending domain the tenant has not verified (422), recording nothing', async () => {
    const acme = specTenant();
    const from = 'Acme <login@acme.test>';
    await spec
      .given(customerRegistered(acme), domainAdded(acme, 'acme.test', 'otp-auth-verify=t'))
      .when(write('PATCH', acme, { email: { from } }))
      .then(expectProblem(422, 'domain-not-verified', { body: { detail: expect.stringContaining('email.from') as unknown } }));
    await spec
      .given(customerRegistered(acme), domainVerified(acme, 'acme.test'))
      .when(write('PATCH', acme, { email: { from: 'login@elsewhere.test' } }))
      .then(expectProblem(422, 'domain-not-verified'));
  });

  it('seals the Resend key before it reaches the event and answers only that one is set', async () => {
    const acme = specTenant();
    const body = { ...six, email: { ...six.email, from: 'Acme <login@acme.test>', provider: { kind: 'resend', apiKey: RESEND_KEY } } };
    const { response, newEvents } = await spec
      .given(customerRegistered(acme), domainAdded(acme, 'acme.test', 'otp-auth-verify=t'), domainVerified(acme, 'acme.test'))
      .when(write('PUT', acme, body))
      .thenOutcome(
        expectResponse(200, {
          body: { version: 1, email: { from: 'Acme <login@acme.test>', provider: { kind: 'resend', apiKeySet: true } } },
        }),
        expectNewEvents([{ type: 'TenantConfigChanged', data: { version: 1 } }]),
      );
    expect(response.text).not.toContain(RESEND_KEY);
    expect(response.text).not.toContain('apiKeySealed');
    const stored = (newEvents[0]!.data as { config: TenantConfig }).config.email.provider;
    expect(stored.kind === 'resend' && openTenantSecret(SPEC_SIGNING_KEY_ENCRYPTION_KEY, acme.id, stored.apiKeySealed)).toBe(RESEND_KEY);
    expect(JSON.stringify([newEvents[0]!.data, newEvents[0]!.metadata])).not.toContain(RESEND_KEY.slice(3));
  });
});

describe('PATCH /v1/customer/config', () => {
  const spec = useRouteSpec();

  it('changes the fields sent and keeps every other', () => {
    const acme = specTenant();
    // Each allowlist admits the spec's own address (loopback): the guard applies it to the request that changes it.
    const before: TenantConfig = {
      ...six,
      ipAllowlist: ['10.0.0.0/8', '127.0.0.0/8', '::1'],
      cors: { allowedOrigins: ['https://app.acme.test'] },
    };
    const after: TenantConfig = {
      ...before,
      otp: { ...before.otp, ttlSeconds: 120 },
      email: { ...before.email, appName: 'Acme' },
      ipAllowlist: ['203.0.113.7', '2001:db8::/32', '127.0.0.1', '::1'],
    };
    return spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, before))
      .when(
        write(
          'PATCH',
          acme,
          { otp: { ttlSeconds: 120 }, email: { appName: 'Acme' }, ipAllowlist: ['203.0.113.7', '2001:db8::/32', '127.0.0.1', '::1'] },
          '"1"',
        ),
      )
      .then(
        expectResponse(200, { equals: { ...viewOf(after, 2, expect.any(String)) }, headers: { etag: '"2"' } }),
        expectNewEvents([{ type: 'TenantConfigChanged', data: { version: 2, config: after } }]),
      );
  });

  it('keeps the sealed provider key when the provider is left out, and GET never shows it', async () => {
    const acme = specTenant();
    const { newEvents } = await spec
      .given(customerRegistered(acme))
      .when(write('PATCH', acme, { email: { provider: { kind: 'resend', apiKey: RESEND_KEY } } }))
      .thenOutcome(expectResponse(200), expectNewEvents([{ type: 'TenantConfigChanged', data: { version: 1 } }]));
    const sealed = (newEvents[0]!.data as { config: TenantConfig }).config.email.provider;
    await spec
      .given()
      .when(write('PATCH', acme, { email: { subject: '{{otp}} is your {{appName}} code' } }))
      .then(
        expectResponse(200, { body: { version: 2, email: { provider: { kind: 'resend', apiKeySet: true } } } }),
        expectNewEvents([{ type: 'TenantConfigChanged', data: { version: 2, config: { email: { provider: sealed } } } }]),
      );
    await spec
      .given()
      .when(get(acme))
      .then(
        expectResponse(200, { body: { email: { provider: { kind: 'resend', apiKeySet: true } } } }),
        expectThat(({ response }) => expect(response.text).not.toMatch(new RegExp(`${RESEND_KEY}|apiKeySealed|v1\\.`))),
      );
  });

  it('appends nothing when the same Resend key is sent again', async () => {
    const acme = specTenant();
    const provider = { kind: 'resend', apiKey: RESEND_KEY };
    await spec
      .given(customerRegistered(acme))
      .when(write('PATCH', acme, { email: { provider } }))
      .then(expectResponse(200, { body: { version: 1 } }), expectNewEvents([{ type: 'TenantConfigChanged' }]));
    await spec
      .given()
      .when(write('PATCH', acme, { email: { provider } }))
      .then(expectResponse(200, { body: { version: 1 }, headers: { etag: '"1"' } }));
  });

  it('refuses a stale If-Match with 412 and changes nothing', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme), tenantConfigChanged(acme, 1, six))
      .when(write('PATCH', acme, { otp: { length: 8 } }, '"0"'))
      .then(expectProblem(412, 'precondition-failed'));
  });

  it('refuses a template the patch leaves without {{otp}}', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(write('PATCH', acme, { email: { html: '<p>Welcome</p>' } }))
      .then(expectProblem(400, 'validation', { body: { code: 'invalid_template' } }));
  });

  it('refuses an unknown field, naming it', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(write('PATCH', acme, { otp: { lenght: 6 } }))
      .then(expectProblem(400, 'validation', { body: { errors: [{ path: 'otp.lenght', message: 'unknown field' }] } }));
  });

  it('refuses a Resend key that is not one', () => {
    const acme = specTenant();
    return spec
      .given(customerRegistered(acme))
      .when(write('PATCH', acme, { email: { provider: { kind: 'resend', apiKey: 'sk_live_123' } } }))
      .then(
        expectProblem(400, 'validation'),
        expectThat(({ response }) => expect(response.text).not.toContain('sk_live_123')),
      );
  });
});

describe("the tenant's config reaches its next request", () => {
  const spec = useRouteSpec();
  const mailed = (challengeId: string) => readFileSync(join(spec.app.mailboxDir, `${challengeId}.eml`), 'utf8');

  it('sends the next code with the new length, subject and lifetime, and signs tokens with the new lifetime', async () => {
    const acme = specTenant();
    await spec
      .given(customerRegistered(acme))
      .when(
        write('PATCH', acme, {
          otp: { length: 6, ttlSeconds: 120, maxAttempts: 3 },
          email: { appName: 'Acme', subject: '{{otp}} is your {{appName}} code' },
          tokens: { accessTtlSeconds: 300 },
        }),
      )
      .then(expectResponse(200, { body: { version: 1 } }), expectNewEvents([{ type: 'TenantConfigChanged' }]));

    const { response, newEvents } = await spec
      .given()
      .when((http) => http('POST', '/v1/otp/request', { token: acme.key.key, body: { email: 'ada@example.com' } }))
      .thenOutcome(expectResponse(202), expectNewEvents([{ type: 'OtpRequested', data: { codeLength: 6, maxAttempts: 3 } }]));
    const { challengeId, expiresAt } = response.body;
    expect(Date.parse(expiresAt) - Date.parse(String(newEvents[0]!.data['requestedAt']))).toBe(120_000);
    const code = /^Subject: ([0-9]{6}) is your Acme code$/m.exec(mailed(challengeId))?.[1];
    expect(code).toBeDefined();
    expect(mailed(challengeId)).toMatch(/It expires in 2 minutes/);

    await spec
      .given()
      .when((http) => http('POST', '/v1/otp/verify', { token: acme.key.key, body: { email: 'ada@example.com', code } }))
      .then(
        expectResponse(200, { body: { expiresIn: 300 } }),
        expectNewEvents([{ type: 'OtpVerified' }, { type: 'UserCreated' }, { type: 'UserLoggedIn' }, { type: 'SessionStarted' }]),
      );
  });

  it("gives a rotated key the tenant's grace when the request names none", async () => {
    const acme = specTenant();
    const app = specApiKey(acme.id, ['otp:write']);
    const config = { ...DEFAULT_TENANT_CONFIG, apiKeys: { rotationGraceSeconds: 3600 } };
    const { response, newEvents } = await spec
      .given(customerRegistered(acme), apiKeyIssued(acme, app), tenantConfigChanged(acme, 1, config))
      .when((http) => http('POST', `/v1/customer/api-keys/${app.id}/rotate`, { token: acme.key.key, body: {} }))
      .thenOutcome(expectResponse(201), expectNewEvents([{ type: 'ApiKeyRotated', data: { keyId: app.id } }]));
    const { rotatedAt, graceEndsAt } = newEvents[0]!.data as { rotatedAt: string; graceEndsAt: string };
    expect(Date.parse(graceEndsAt) - Date.parse(rotatedAt)).toBe(3_600_000);
    expect(response.body.graceEndsAt).toBe(graceEndsAt);
  });
});
