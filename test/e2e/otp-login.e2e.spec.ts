import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { useEmbeddedServer } from '../support/embedded-server';
import type { HttpCall } from '../support/http';
import { OPERATOR_TOKEN } from '../support/server-process';

/**
 * The walking skeleton end to end: the real bundle as a process, a real SQLite
 * file in a temp folder, a real SMTP sink. Cases run in order and share state,
 * like the README walk-through they mirror.
 */
describe('embedded server: one OTP login end to end', () => {
  const e2e = useEmbeddedServer('otp-e2e-');
  let customerId: string;
  let apiKey: string;
  let position = '0';
  const email = 'Ada.Lovelace@Example.com';

  const track = <R extends { headers: Headers }>(res: R): R => {
    const p = res.headers.get('x-event-position');
    if (p && BigInt(p) > BigInt(position)) position = p;
    return res;
  };
  const latest = () => ({ 'x-min-position': position });
  const countEvents = () => {
    const db = new Database(join(e2e.dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it('serves health, metrics, openapi and the JWKS to anyone', async () => {
    expect((await e2e.http('GET', '/health/live')).status).toBe(200);
    const ready = await e2e.http('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', checks: { eventStore: 'ok', readModels: 'ok', projections: 'ok' } });
    const metrics = await e2e.http('GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('http_request_duration_seconds');
    for (const projection of ['customers', 'usage', 'audit']) expect(metrics.text).toContain(`projection_state{projection="${projection}",state="live"} 1`);
    const openapi = await e2e.http('GET', '/openapi.json');
    expect(openapi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.body.paths)).toContain('/v1/otp/verify');
    const jwks = await e2e.http('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys).toHaveLength(1);
    expect(jwks.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.body.keys[0].d).toBeUndefined();
    expect(ready.headers.get('x-request-id')).toBeTruthy();
  });

  it('lets the operator register a customer, with its first API key shown once', async () => {
    const res = track(await e2e.http('POST', '/v1/admin/customers', { token: OPERATOR_TOKEN, body: { name: 'Acme', email: 'ops@acme.test', plan: 'pro' } }));
    expect(res.status).toBe(201);
    expect(res.body.customer).toMatchObject({ name: 'Acme', email: 'ops@acme.test', plan: 'pro', status: 'active' });
    expect(res.body.apiKey.key).toMatch(/^ok_[0-9a-f]{16}_[0-9a-f]{12}_/);
    expect(res.body.apiKey.scopes).toEqual(['otp:write', 'customer:admin', 'analytics:read', 'audit:read']);
    customerId = res.body.customer.id;
    apiKey = res.body.apiKey.key;

    const byOperator = await e2e.http('GET', `/v1/admin/customers/${customerId}`, { token: OPERATOR_TOKEN, headers: latest() });
    expect(byOperator.status).toBe(200);
    expect(byOperator.body).toEqual(res.body.customer);
    const own = await e2e.http('GET', '/v1/customer', { token: apiKey, headers: latest() });
    expect(own.status).toBe(200);
    expect(own.body).toEqual(res.body.customer);
    expect(JSON.stringify(own.body)).not.toContain(apiKey.slice(-43));
  });

  it('emails a code, refuses a wrong one with the attempts left, and signs tokens for the right one', async () => {
    const sent = e2e.smtp.messages.length;
    const requested = track(await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email } }));
    expect(requested.status).toBe(202);
    expect(requested.body.challengeId).toMatch(/^chl_/);
    const code = await e2e.smtp.codeFor('ada.lovelace@example.com', sent);
    expect(code).toMatch(/^[0-9]{9}$/);

    const wrongCode = code === '000000000' ? '111111111' : '000000000';
    const wrong = track(await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email, code: wrongCode } }));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(wrong.body.attemptsRemaining).toBe(4);

    // A client-chosen request id, sent twice below: token ids must still be the server's own.
    const clientRequestId = { 'x-request-id': 'client-chosen-id-1' };
    const ok = track(await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email, code }, headers: clientRequestId }));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { email: 'ada.lovelace@example.com' } });
    expect(ok.body.refreshToken).toMatch(/^rt_/);

    const jwks = createRemoteJWKSet(new URL(`${e2e.server.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(ok.body.accessToken, jwks, { audience: customerId });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload.sub).toBe(ok.body.user.id);
    expect(payload.email).toBe('ada.lovelace@example.com');

    const reused = await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email, code } });
    expect(reused.status).toBe(401);

    // A second login for the same email is the same user.
    const again = e2e.smtp.messages.length;
    track(await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 'ada.lovelace@example.com' } }));
    const second = track(await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email, code: await e2e.smtp.codeFor('ada.lovelace@example.com', again) }, headers: clientRequestId }));
    expect(second.status).toBe(200);
    expect(second.body.user.id).toBe(ok.body.user.id);
    const jtis = [decodeJwt(ok.body.accessToken).jti, decodeJwt(second.body.accessToken).jti];
    expect(jtis[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(jtis[1]).not.toBe(jtis[0]);
  });

  it('locks a challenge after five wrong codes', async () => {
    const sent = e2e.smtp.messages.length;
    track(await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 'mallory@example.com' } }));
    const code = await e2e.smtp.codeFor('mallory@example.com', sent);
    const wrongCode = code === '123456789' ? '987654321' : '123456789';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(track(await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email: 'mallory@example.com', code: wrongCode } })).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const right = await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email: 'mallory@example.com', code } });
    expect(right.status).toBe(429);
    // A new code would restart the guessing: not until the locked one would have expired.
    const again = e2e.smtp.messages.length;
    const renewed = await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 'mallory@example.com' } });
    expect(renewed.status).toBe(429);
    expect(renewed.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(renewed.headers.get('retry-after'))).toBeGreaterThan(500);
    expect(Number(renewed.headers.get('retry-after'))).toBeLessThanOrEqual(600);
    expect(renewed.body).toMatchObject({ status: 429, code: 'challenge_locked' });
    expect(e2e.smtp.messages.length).toBe(again);
  });

  it('answers an unknown email exactly like a known one', async () => {
    const known = await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email } });
    const unknown = await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 'nobody@example.com' } });
    track(known);
    track(unknown);
    expect(unknown.status).toBe(known.status);
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(known.body).sort());
  });

  it('counts the appended events by type in /metrics', async () => {
    const metrics = (await e2e.http('GET', '/metrics')).text;
    expect(metrics).toMatch(/^events_appended_total\{type="UserLoggedIn"\} 2$/m);
    expect(metrics).toMatch(/^events_appended_total\{type="CustomerRegistered"\} 1$/m);
  });

  it('shows the logins in usage and in the audit trail', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const usage = await e2e.http('GET', `/v1/usage?from=${today}&to=${tomorrow}&granularity=day`, { token: apiKey, headers: latest() });
    expect(usage.status).toBe(200);
    expect(usage.body.buckets).toHaveLength(1);
    // Failures: one wrong code, one reuse, five wrong codes on mallory's challenge, one try after its lock.
    expect(usage.body.buckets[0]).toMatchObject({ start: `${today}T00:00:00.000Z`, otpRequested: 5, otpVerified: 2, otpFailed: 8, usersCreated: 1, logins: 2 });
    const hourly = await e2e.http('GET', `/v1/usage?from=${today}&to=${tomorrow}&granularity=hour`, { token: apiKey, headers: latest() });
    expect(hourly.body.buckets).toHaveLength(24);
    expect(hourly.body.buckets.reduce((n: number, b: { logins: number }) => n + b.logins, 0)).toBe(2);

    const audit = await e2e.http('GET', '/v1/audit?limit=1000', { token: apiKey, headers: latest() });
    expect(audit.status).toBe(200);
    const types = audit.body.items.map((i: { type: string }) => i.type);
    expect(types[0]).toBe('CustomerRegistered');
    expect(types).toContain('UserCreated');
    expect(types.filter((t: string) => t === 'UserLoggedIn')).toHaveLength(2);
    expect(audit.body.items.find((i: { type: string }) => i.type === 'OtpChallengeLocked')).toMatchObject({ outcome: 'failure' });
    expect(audit.body.nextCursor).toBeNull();
    const login = audit.body.items.find((i: { type: string }) => i.type === 'UserLoggedIn');
    expect(login).toMatchObject({ actor: expect.stringMatching(/^apiKey:key_/), clientIp: expect.any(String), requestId: expect.any(String) });

    // Pages of two walk the same entries in the same order.
    const walked: string[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: Awaited<ReturnType<HttpCall>> = await e2e.http('GET', `/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: apiKey });
      walked.push(...page.body.items.map((i: { eventId: string }) => i.eventId));
      cursor = page.body.nextCursor;
    }
    expect(walked).toEqual(audit.body.items.map((i: { eventId: string }) => i.eventId));
  });

  it('keeps tenants apart', async () => {
    const other = track(await e2e.http('POST', '/v1/admin/customers', { token: OPERATOR_TOKEN, body: { name: 'Globex', email: 'it@globex.test' } }));
    const otherKey: string = other.body.apiKey.key;
    const own = await e2e.http('GET', '/v1/customer', { token: otherKey, headers: latest() });
    expect(own.body.id).toBe(other.body.customer.id);
    const audit = await e2e.http('GET', '/v1/audit?limit=1000', { token: otherKey, headers: latest() });
    expect(audit.body.items.map((i: { type: string }) => i.type)).toEqual(['CustomerRegistered', 'ApiKeyIssued']);
    // A code sent through one tenant does not verify through another.
    const sent = e2e.smtp.messages.length;
    track(await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 'shared@example.com' } }));
    const code = await e2e.smtp.codeFor('shared@example.com', sent);
    expect((await e2e.http('POST', '/v1/otp/verify', { token: otherKey, body: { email: 'shared@example.com', code } })).status).toBe(401);
    // Another tenant's customer record is the operator's business only.
    const peek = await e2e.http('GET', `/v1/admin/customers/${customerId}`, { token: otherKey });
    expect(peek.status).toBe(401);
    const missing = await e2e.http('GET', '/v1/admin/customers/cus_0000000000000000', { token: OPERATOR_TOKEN });
    expect(missing.status).toBe(404);
  });

  describe('refuses bad input with a problem and leaves no event behind', () => {
    let scopedKey: string;
    let otpOnlyKey: string;
    beforeAll(async () => {
      const res = track(await e2e.http('POST', '/v1/api-keys', { token: apiKey, body: { scopes: ['analytics:read'] } }));
      expect(res.status).toBe(201);
      scopedKey = res.body.key;
    });

    const cases: [string, () => Promise<Awaited<ReturnType<HttpCall>>>, number, string][] = [
      ['malformed JSON', () => e2e.http('POST', '/v1/otp/request', { token: apiKey, rawBody: '{"email":' }), 400, 'malformed-json'],
      ['a wrong type', () => e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 42 } }), 400, 'validation'],
      ['an unknown field', () => e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 'a@b.test', admin: true } }), 400, 'validation'],
      ['an invalid email', () => e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 'not-an-email' } }), 400, 'validation'],
      ['a code of letters', () => e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email: 'a@b.test', code: 'abcdefghi' } }), 400, 'validation'],
      ['an oversized body', () => e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: `${'a'.repeat(20_000)}@b.test` } }), 413, 'payload-too-large'],
      ['a body that is not JSON', () => e2e.http('POST', '/v1/otp/request', { token: apiKey, rawBody: 'email=a@b.test', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type'],
      ['a missing key', () => e2e.http('POST', '/v1/otp/request', { body: { email: 'a@b.test' } }), 401, 'unauthenticated'],
      ['an unknown key', () => e2e.http('POST', '/v1/otp/request', { token: `${apiKey.slice(0, -4)}AAAA`, body: { email: 'a@b.test' } }), 401, 'invalid-api-key'],
      ['a malformed key', () => e2e.http('POST', '/v1/otp/request', { token: 'sk_live_nope', body: { email: 'a@b.test' } }), 401, 'invalid-api-key'],
      ['a key without the scope', () => e2e.http('POST', '/v1/otp/request', { token: scopedKey, body: { email: 'a@b.test' } }), 403, 'insufficient-scope'],
      ['a tenant key on an operator route', () => e2e.http('POST', '/v1/admin/customers', { token: apiKey, body: { name: 'X', email: 'x@x.test' } }), 401, 'invalid-api-key'],
      ['an operator registration missing a field', () => e2e.http('POST', '/v1/admin/customers', { token: OPERATOR_TOKEN, body: { name: 'X' } }), 400, 'validation'],
      ['an unknown plan', () => e2e.http('POST', '/v1/admin/customers', { token: OPERATOR_TOKEN, body: { name: 'X', email: 'x@x.test', plan: 'gold' } }), 400, 'validation'],
      ['an unknown scope', () => e2e.http('POST', '/v1/api-keys', { token: apiKey, body: { scopes: ['root'] } }), 400, 'validation'],
      ['a bad usage range', () => e2e.http('GET', '/v1/usage?from=2026-11-02&to=2026-11-01', { token: apiKey }), 400, 'validation'],
      ['a usage date that is not UTC', () => e2e.http('GET', '/v1/usage?from=2026-11-01T00:00:00%2B02:00&to=2026-11-02', { token: apiKey }), 400, 'validation'],
      ['an unknown query parameter', () => e2e.http('GET', '/v1/audit?tenant=cus_0000000000000000', { token: apiKey }), 400, 'validation'],
      ['a bad audit cursor', () => e2e.http('GET', '/v1/audit?cursor=abc', { token: apiKey }), 400, 'validation'],
      ['an audit cursor too long to be a position', () => e2e.http('GET', `/v1/audit?cursor=${'9'.repeat(400)}`, { token: apiKey }), 400, 'validation'],
      ['a usage read without analytics:read', () => e2e.http('GET', '/v1/usage?from=2026-11-01&to=2026-11-02', { token: otpOnlyKey }), 403, 'insufficient-scope'],
      ['an audit read without audit:read', () => e2e.http('GET', '/v1/audit', { token: otpOnlyKey }), 403, 'insufficient-scope'],
      ['an unknown route', () => e2e.http('GET', '/v1/nothing-here', { token: apiKey }), 404, 'not-found'],
    ];
    beforeAll(async () => {
      const res = track(await e2e.http('POST', '/v1/api-keys', { token: apiKey, body: { scopes: ['otp:write'] } }));
      otpOnlyKey = res.body.key;
    });

    it.each(cases)('%s', async (_name, send, status, type) => {
      const before = countEvents();
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({ status, type: expect.stringMatching(new RegExp(`/problems/${type}$`)), title: expect.any(String) });
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(countEvents()).toBe(before);
    });

    it('lists each invalid field', async () => {
      const res = await e2e.http('POST', '/v1/admin/customers', { token: OPERATOR_TOKEN, body: { name: '', email: 'nope', extra: 1 } });
      expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'extra', 'name']);
    });
  });

  it('keeps every file it creates (events with emails, keys, read models) to its own user', () => {
    const files = readdirSync(e2e.dataDir).filter((name) => !name.startsWith('.'));
    expect(files).toEqual(expect.arrayContaining(['events.sqlite', 'events.sqlite-wal', 'read-models.sqlite', 'hash-key', 'signing-key.json']));
    for (const name of files) expect({ name, mode: (statSync(join(e2e.dataDir, name)).mode & 0o077).toString(8) }).toEqual({ name, mode: '0' });
  });

  it('never writes a code or a key into the events or the logs', async () => {
    const db = new Database(join(e2e.dataDir, 'events.sqlite'), { readonly: true });
    const stored = (db.prepare('SELECT data, metadata FROM events').all() as { data: string; metadata: string }[]).map((r) => r.data + r.metadata).join('\n');
    db.close();
    const codes = e2e.smtp.messages.map((m) => /sign-in code is ([0-9]{6,9})/.exec(m.raw)?.[1]).filter((c): c is string => !!c);
    expect(codes.length).toBeGreaterThan(3);
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(e2e.server.output.join('\n')).not.toContain(code);
    }
    expect(stored).not.toContain(apiKey.slice(-43));
    expect(e2e.server.output.join('\n')).not.toContain(apiKey.slice(-43));
    // Stream names carry a keyed hash of the email, never the address.
    const db2 = new Database(join(e2e.dataDir, 'events.sqlite'), { readonly: true });
    const streamNames = (db2.prepare('SELECT DISTINCT stream FROM events').all() as { stream: string }[]).map((r) => r.stream);
    db2.close();
    expect(streamNames.join('\n')).not.toContain('@');
  });

  it('keeps every customer, key, user and count across a restart, with the same signing key', async () => {
    const beforeLogin = await loginOnce();
    const kid = decodeProtectedHeader(beforeLogin.accessToken).kid;
    const before = {
      customer: (await e2e.http('GET', '/v1/customer', { token: apiKey, headers: latest() })).body,
      usage: (await e2e.http('GET', `/v1/usage?from=${dayOffset(-1)}&to=${dayOffset(1)}&granularity=day`, { token: apiKey, headers: latest() })).body,
    };
    expect(await e2e.server.stop()).toBe(0);
    await e2e.start();
    const after = await e2e.http('GET', '/v1/customer', { token: apiKey, headers: latest() });
    expect(after.status).toBe(200);
    expect(after.body).toEqual(before.customer);
    const usage = await e2e.http('GET', `/v1/usage?from=${dayOffset(-1)}&to=${dayOffset(1)}&granularity=day`, { token: apiKey, headers: latest() });
    expect(usage.body).toEqual(before.usage);
    const relogin = await loginOnce();
    expect(decodeProtectedHeader(relogin.accessToken).kid).toBe(kid);
    // The same person is the same user after a restart.
    expect(relogin.user.id).toBe(beforeLogin.user.id);
  });

  it('rebuilds identical read models after they are deleted', async () => {
    const snapshot = async () => ({
      customer: (await e2e.http('GET', '/v1/customer', { token: apiKey, headers: latest() })).body,
      usage: (await e2e.http('GET', `/v1/usage?from=${dayOffset(-1)}&to=${dayOffset(1)}&granularity=hour`, { token: apiKey, headers: latest() })).body,
      audit: (await e2e.http('GET', '/v1/audit?limit=1000', { token: apiKey, headers: latest() })).body,
    });
    const before = await snapshot();
    expect(before.audit.items.length).toBeGreaterThan(20);
    expect(await e2e.server.stop()).toBe(0);
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(e2e.dataDir, `read-models.sqlite${suffix}`), { force: true });
    await e2e.start();
    expect(await snapshot()).toEqual(before);
  });

  async function loginOnce(): Promise<{ accessToken: string; user: { id: string } }> {
    const sent = e2e.smtp.messages.length;
    track(await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email } }));
    const res = track(await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email, code: await e2e.smtp.codeFor('ada.lovelace@example.com', sent) } }));
    expect(res.status).toBe(200);
    return res.body;
  }
});

const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
