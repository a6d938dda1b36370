import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consistencyTokenFromDataDir } from '../support/consistency-tokens';
import { useEmbeddedServer } from '../support/embedded-server';
import { OPERATOR_TOKEN } from '../support/server-process';
import { storedEvents } from '../support/stored-events';
import { usageTotals } from '../support/usage';

const CLIENTS = 20;

describe('embedded server killed (SIGKILL) in the middle of logins', () => {
  const e2e = useEmbeddedServer('otp-crash-');

  it('keeps every answered request, and its read models agree with its events after the restart', async () => {
    const registered = await e2e.http('POST', '/v1/admin/customers', {
      token: OPERATOR_TOKEN,
      body: { name: 'Acme', email: 'ops@acme.test' },
    });
    const apiKey: string = registered.body.apiKey.key;

    // Clients log in over and over; each answer received is a promise the store must keep.
    const requested = new Set<string>();
    const verified = new Set<string>();
    let crashed = false;
    const client = async (n: number) => {
      for (let i = 0; !crashed; i++) {
        const email = `c${n}.${i}@example.com`;
        try {
          const sent = e2e.smtp.messages.length;
          const ask = await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email } });
          if (ask.status !== 202) continue;
          requested.add(ask.body.challengeId);
          const code = await e2e.smtp.codeFor(email, sent, 2_000);
          const done = await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email, code } });
          if (done.status === 200) verified.add(ask.body.challengeId);
        } catch {
          return; // the connection died with the process
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, n) => client(n));
    while (verified.size < 40) await new Promise((resolve) => setTimeout(resolve, 20));
    await e2e.server.kill();
    crashed = true;
    await Promise.all(clients);

    const events = storedEvents(join(e2e.dataDir, 'events.sqlite'));
    const stored = (type: string) => new Set(events.filter((e) => e.type === type).map((e) => String(e.data['challengeId'])));
    const requestedInStore = stored('OtpRequested');
    const verifiedInStore = stored('OtpVerified');
    expect([...requested].filter((id) => !requestedInStore.has(id))).toEqual([]);
    expect([...verified].filter((id) => !verifiedInStore.has(id))).toEqual([]);

    await e2e.start();
    const last = consistencyTokenFromDataDir(e2e.dataDir, events.length);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(await usageTotals(e2e.http, apiKey, last)).toMatchObject({
      otpRequested: count('OtpRequested'),
      otpVerified: count('OtpVerified'),
      usersCreated: count('UserCreated'),
      logins: count('UserLoggedIn'),
    });
    const audit = await e2e.http('GET', '/v1/audit?limit=1000', { token: apiKey, headers: { 'x-min-position': last } });
    // The deployment's signing keys, added at start, are no tenant's events.
    const tenantEvents = events.filter((e) => !e.type.startsWith('SigningKey')).length;
    const entries = audit.body.items as { seq: number; type: string }[];
    // Each stored event numbered once, no gap; the reads since the restart may have recorded the
    // key's use in the background (once a minute), numbered after them.
    expect(
      entries
        .filter((entry) => entry.seq <= tenantEvents)
        .map((entry) => entry.seq)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: tenantEvents }, (_, i) => i + 1));
    const later = entries.filter((entry) => entry.seq > tenantEvents).map((entry) => entry.type);
    expect(later.filter((type) => type !== 'ApiKeyUsed')).toEqual([]);
    expect(audit.body.nextCursor).toBeNull();

    // And it goes on serving logins.
    const sent = e2e.smtp.messages.length;
    expect((await e2e.http('POST', '/v1/otp/request', { token: apiKey, body: { email: 'after@example.com' } })).status).toBe(202);
    const code = await e2e.smtp.codeFor('after@example.com', sent);
    expect((await e2e.http('POST', '/v1/otp/verify', { token: apiKey, body: { email: 'after@example.com', code } })).status).toBe(200);
  });
});
