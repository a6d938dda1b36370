import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { useEmbeddedServer } from '../support/embedded-server';
import { OPERATOR_TOKEN } from '../support/server-process';

/**
 * A bad day: the log holds an event the projectors cannot read (a bug, or a
 * newer version's event). Projections stop at it and say so; logins go on.
 */
describe('embedded server with a broken projection', () => {
  const e2e = useEmbeddedServer('otp-e2e-broken-', async (dataDir) => {
    const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    await store.append(
      'customer-cus_00000000000000ff',
      [
        {
          id: randomUUID(),
          type: 'CustomerTeleported',
          data: { to: 'mars' },
          metadata: {
            schemaVersion: 1,
            occurredAt: new Date().toISOString(),
            tenantId: 'cus_00000000000000ff',
            actor: 'system',
            correlationId: 'x',
            causationId: 'x',
            requestId: 'x',
          },
        },
      ],
      'no_stream',
    );
    await store.close();
  });

  it('reports the projections as failed on /health/ready and /metrics, and stays in traffic', async () => {
    let ready = await e2e.http('GET', '/health/ready');
    for (let i = 0; i < 50 && ready.body.status === 'ok'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      ready = await e2e.http('GET', '/health/ready');
    }
    // 200: a load balancer that took this instance out would stop logins too, and mend nothing.
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.checks.eventStore).toBe('ok');
    // The reason goes to the log, not to whoever asks.
    expect(ready.body.checks.projections).toBe('failing');
    await vi.waitFor(
      () =>
        expect(e2e.server.output.join('\n')).toMatch(
          /"check":"projections","reason":"[^"]*CustomerTeleported[^"]*","msg":"readiness check failing"/,
        ),
      { timeout: 2_000 },
    );
    const metrics = (await e2e.http('GET', '/metrics', { token: OPERATOR_TOKEN })).text;
    for (const projection of ['customers', 'usage', 'audit'])
      expect(metrics).toContain(`projection_state{projection="${projection}",state="failed"} 1`);
    expect(e2e.server.output.join('\n')).toContain('projection stopped');
  });

  it('still registers customers and logs users in', async () => {
    const registered = await e2e.http('POST', '/v1/admin/customers', {
      token: OPERATOR_TOKEN,
      body: { name: 'Acme', email: 'ops@acme.test' },
    });
    expect(registered.status).toBe(201);
    const key: string = registered.body.apiKey.key;
    const sent = e2e.smtp.messages.length;
    expect((await e2e.http('POST', '/v1/otp/request', { token: key, body: { email: 'ada@example.com' } })).status).toBe(202);
    const code = await e2e.smtp.codeFor('ada@example.com', sent);
    const verified = await e2e.http('POST', '/v1/otp/verify', { token: key, body: { email: 'ada@example.com', code } });
    expect(verified.status).toBe(200);

    // A read that asks for its own write is told the read models are not moving, not left hanging.
    const usage = await e2e.http('GET', '/v1/usage?from=2026-01-01&to=2026-01-02', {
      token: key,
      headers: { 'x-min-position': verified.headers.get('x-event-position')! },
    });
    expect(usage.status).toBe(503);
    expect(usage.headers.get('content-type')).toContain('application/problem+json');
  });
});
