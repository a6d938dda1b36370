import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { useEmbeddedServer, type EmbeddedServer } from '../support/embedded-server';
import { logIn, registerCustomer } from '../support/logins';
import { OPERATOR_TOKEN } from '../support/server-process';

/**
 * The walking skeleton end to end: the real bundle as a process, a real SQLite file in a temp
 * folder, a real SMTP sink. Only what needs the process is here (it starting, mail over SMTP,
 * the projection thread, tokens against the served JWKS, its files and logs, a restart); each
 * route's answers and refusals are in test/routes. Every case makes its own customer, so a
 * failing case leaves the next ones as they were.
 */
const EMAIL = 'ada.lovelace@example.com';
const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const atLeast = (position: string) => ({ 'x-min-position': position });

/** What a tenant reads back: its customer, its usage by hour around today, its whole audit trail. */
async function snapshot(e2e: EmbeddedServer, apiKey: string, position: string) {
  const read = (path: string) => e2e.http('GET', path, { token: apiKey, headers: atLeast(position) });
  const [customer, usage, audit] = await Promise.all([
    read('/v1/customer'),
    read(`/v1/usage?from=${dayOffset(-1)}&to=${dayOffset(1)}&granularity=hour`),
    read('/v1/audit?limit=1000'),
  ]);
  for (const res of [customer, usage, audit]) expect(res.status).toBe(200);
  return { customer: customer.body, usage: usage.body, audit: audit.body };
}

describe('embedded server: OTP logins end to end', () => {
  const e2e = useEmbeddedServer('otp-e2e-');

  it('starts ready, its projections live on their own thread', async () => {
    const ready = await e2e.http('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', checks: { eventStore: 'ok', readModels: 'ok', projections: 'ok' } });
    expect(ready.headers.get('x-request-id')).toBeTruthy();
    const metrics = (await e2e.http('GET', '/metrics', { token: OPERATOR_TOKEN })).text;
    for (const projection of ['customers', 'usage', 'audit'])
      expect(metrics).toContain(`projection_state{projection="${projection}",state="live"} 1`);
  });

  it('logs a user in with a code mailed over SMTP, with tokens that verify against the served JWKS', async () => {
    const { customerId, apiKey } = await registerCustomer(e2e.http, 'Acme');
    const sent = e2e.smtp.messages.length;
    const requested = await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 'Ada.Lovelace@Example.com' } });
    expect(requested.status).toBe(202);
    const code = await e2e.smtp.codeFor(EMAIL, sent);
    expect(code).toMatch(/^[0-9]{9}$/);
    const ok = await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email: 'Ada.Lovelace@Example.com', code } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { email: EMAIL } });

    const jwks = createRemoteJWKSet(new URL(`${e2e.server.baseUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(ok.body.accessToken, jwks, { audience: customerId });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload.sub).toBe(ok.body.user.id);
    expect(payload.email).toBe(EMAIL);

    // A second login for the same email is the same user; the projection thread counts both.
    const second = await logIn(e2e.http, e2e.smtp, apiKey, EMAIL);
    expect(second.body.user.id).toBe(ok.body.user.id);
    const { usage, audit } = await snapshot(e2e, apiKey, second.headers.get('x-event-position')!);
    expect(usage.buckets.reduce((n: number, b: { logins: number }) => n + b.logins, 0)).toBe(2);
    expect(audit.items.filter((i: { type: string }) => i.type === 'UserLoggedIn')).toHaveLength(2);
  });

  it('keeps every file it creates (events with emails, keys, read models) to its own user', async () => {
    const { apiKey } = await registerCustomer(e2e.http, 'Files');
    await logIn(e2e.http, e2e.smtp, apiKey, 'files@example.com');
    const files = readdirSync(e2e.dataDir).filter((name) => !name.startsWith('.'));
    expect(files).toEqual(
      expect.arrayContaining(['events.sqlite', 'events.sqlite-wal', 'read-models.sqlite', 'hash-key', 'signing-key.json']),
    );
    for (const name of files)
      expect({ name, mode: (statSync(join(e2e.dataDir, name)).mode & 0o077).toString(8) }).toEqual({ name, mode: '0' });
  });

  it('never writes a code or a key into the events or the logs, nor an email into a stream name', async () => {
    const { apiKey } = await registerCustomer(e2e.http, 'Secrets');
    const sent = e2e.smtp.messages.length;
    for (const name of ['ann', 'bob', 'cat', 'dan']) await logIn(e2e.http, e2e.smtp, apiKey, `${name}@example.com`);
    const db = new Database(join(e2e.dataDir, 'events.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT stream, data, metadata FROM events').all() as { stream: string; data: string; metadata: string }[];
    db.close();
    const stored = rows.map((r) => r.data + r.metadata).join('\n');
    const codes = e2e.smtp.messages
      .slice(sent)
      .map((m) => /sign-in code is ([0-9]{6,9})/.exec(m.raw)?.[1])
      .filter((c): c is string => !!c);
    expect(codes).toHaveLength(4);
    const logs = e2e.server.output.join('\n');
    for (const code of codes) {
      expect(stored).not.toContain(code);
      expect(logs).not.toContain(code);
    }
    expect(stored).not.toContain(apiKey.slice(-43));
    expect(logs).not.toContain(apiKey.slice(-43));
    // Stream names carry a keyed hash of the email, never the address.
    expect(rows.map((r) => r.stream).join('\n')).not.toContain('@');
  });
});

describe('embedded server: a restart', () => {
  const e2e = useEmbeddedServer('otp-e2e-restart-');

  it('keeps every customer, key, user and count across a restart, with the same signing key', async () => {
    const { apiKey } = await registerCustomer(e2e.http, 'Acme');
    const beforeLogin = await logIn(e2e.http, e2e.smtp, apiKey, EMAIL);
    const position = beforeLogin.headers.get('x-event-position')!;
    const kid = decodeProtectedHeader(beforeLogin.body.accessToken).kid;
    const before = await snapshot(e2e, apiKey, position);
    expect(await e2e.server.stop()).toBe(0);
    await e2e.start();
    expect(await snapshot(e2e, apiKey, position)).toEqual(before);
    const relogin = await logIn(e2e.http, e2e.smtp, apiKey, EMAIL);
    expect(decodeProtectedHeader(relogin.body.accessToken).kid).toBe(kid);
    // The same person is the same user after a restart.
    expect(relogin.body.user.id).toBe(beforeLogin.body.user.id);
  });
});

describe('embedded server: read models deleted', () => {
  const e2e = useEmbeddedServer('otp-e2e-rebuild-');

  it('rebuilds identical read models after they are deleted', async () => {
    const { apiKey } = await registerCustomer(e2e.http, 'Acme');
    let position = '0';
    for (const name of ['ann', 'bob', 'cat', 'dan'])
      position = (await logIn(e2e.http, e2e.smtp, apiKey, `${name}@example.com`)).headers.get('x-event-position')!;
    const before = await snapshot(e2e, apiKey, position);
    expect(before.audit.items.length).toBeGreaterThan(20);
    expect(await e2e.server.stop()).toBe(0);
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(e2e.dataDir, `read-models.sqlite${suffix}`), { force: true });
    await e2e.start();
    expect(await snapshot(e2e, apiKey, position)).toEqual(before);
  });
});
