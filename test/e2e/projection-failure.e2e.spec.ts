import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { buildBundle } from '../support/build';
import { httpClient, type HttpCall } from '../support/http';
import { startServer, type ServerProcess } from '../support/server-process';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';

const OPERATOR_TOKEN = 'op_test_token_that_is_long_enough_0123456789';

/**
 * A bad day: the log holds an event the projectors cannot read (a bug, or a
 * newer version's event). Projections stop at it and say so; logins go on.
 */
describe('embedded server with a broken projection', () => {
  let dataDir: string;
  let smtp: SmtpSink;
  let server: ServerProcess;
  let http: HttpCall;

  beforeAll(async () => {
    buildBundle();
    dataDir = mkdtempSync(join(tmpdir(), 'otp-e2e-broken-'));
    smtp = await startSmtpSink();
    const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    await store.append('customer-cus_00000000000000ff', [{
      id: randomUUID(),
      type: 'CustomerTeleported',
      data: { to: 'mars' },
      metadata: { schemaVersion: 1, occurredAt: new Date().toISOString(), tenantId: 'cus_00000000000000ff', actor: 'system', correlationId: 'x', causationId: 'x', requestId: 'x' },
    }], 'no_stream');
    await store.close();
    server = await startServer({ DATA_DIR: dataDir, OPERATOR_TOKEN, SMTP_URL: smtp.url });
    http = httpClient(server.baseUrl);
  });

  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports the projections as failed on /health/ready and /metrics, and stays in traffic', async () => {
    let ready = await http('GET', '/health/ready');
    for (let i = 0; i < 50 && ready.body.status === 'ok'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await http('GET', '/health/ready');
    }
    // 200: a load balancer that took this instance out would stop logins too, and mend nothing.
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.checks.eventStore).toBe('ok');
    // The reason goes to the log, not to whoever asks.
    expect(ready.body.checks.projections).toBe('failing');
    await vi.waitFor(() => expect(server.output.join('\n')).toMatch(/"check":"projections","reason":"[^"]*CustomerTeleported[^"]*","msg":"readiness check failing"/), { timeout: 2_000 });
    expect((await http('GET', '/metrics')).text).toMatch(/projection_state\{projection="read-models",state="failed"\} 1/);
    expect(server.output.join('\n')).toContain('projection stopped');
  });

  it('still registers customers and logs users in', async () => {
    const registered = await http('POST', '/v1/admin/customers', { token: OPERATOR_TOKEN, body: { name: 'Acme', email: 'ops@acme.test' } });
    expect(registered.status).toBe(201);
    const key: string = registered.body.apiKey.key;
    const sent = smtp.messages.length;
    expect((await http('POST', '/v1/otp/request', { token: key, body: { email: 'ada@example.com' } })).status).toBe(202);
    const code = await smtp.codeFor('ada@example.com', sent);
    const verified = await http('POST', '/v1/otp/verify', { token: key, body: { email: 'ada@example.com', code } });
    expect(verified.status).toBe(200);

    // A read that asks for its own write is told the read models are not moving, not left hanging.
    const usage = await http('GET', '/v1/usage?from=2026-01-01&to=2026-01-02', {
      token: key,
      headers: { 'x-min-position': verified.headers.get('x-event-position')! },
    });
    expect(usage.status).toBe(503);
    expect(usage.headers.get('content-type')).toContain('application/problem+json');
  });
});
