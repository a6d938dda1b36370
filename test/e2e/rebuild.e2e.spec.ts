import { describe, expect, it } from 'vitest';
import { useEmbeddedServer } from '../support/embedded-server';
import { logIn, registerCustomer } from '../support/logins';
import { seedLogins } from '../support/seed-logins';
import { runRebuildTool } from '../support/rebuild-tool';
import { usageTotals } from '../support/usage';

/** `npm run rebuild -- <args>` with the environment npm start would have. */
const rebuild = (args: string[], env: Record<string, string>) => runRebuildTool(args, { HOST: '127.0.0.1', ...env });

describe('npm run rebuild', () => {
  // Enough history that a rebuild takes a while: the live read models must answer meanwhile.
  const e2e = useEmbeddedServer('otp-rebuild-', (dataDir) => seedLogins(dataDir, 6_000));
  /** The seeded history takes the first start a few seconds to project. */
  const caughtUp = async (apiKey: string, position: string) => {
    const today = new Date().toISOString().slice(0, 10);
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      const res = await e2e.http('GET', `/v1/usage?from=${today}&to=${today}T23:00:00Z`, {
        token: apiKey,
        headers: { 'x-min-position': position },
      });
      if (res.status !== 503) return;
    }
    throw new Error(`the read models did not reach ${position}`);
  };
  const env = () => ({ DATA_DIR: e2e.dataDir, PORT: new URL(e2e.server.baseUrl).port });

  it('rebuilds usage beside the live one while the server serves, with the same totals during and after', async () => {
    const { apiKey, position } = await registerCustomer(e2e.http);
    await logIn(e2e.http, e2e.smtp, apiKey, 'one@example.com');
    await caughtUp(apiKey, position);
    const before = await usageTotals(e2e.http, apiKey, position);
    expect(before).toMatchObject({ otpRequested: 1, otpVerified: 1, logins: 1 });

    const running = rebuild(['usage'], env());
    const during: Record<string, number>[] = [];
    let finished = false;
    void running.finally(() => (finished = true));
    while (!finished) {
      during.push(await usageTotals(e2e.http, apiKey, position));
      await new Promise((r) => setTimeout(r, 50));
    }
    const { code, stdout, stderr } = await running;
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stderr).toMatch(/rebuild usage: (building|swapping), [\d,]+ events/);
    expect(stdout).toMatch(/^rebuilt usage: \d+ events, through position \d+/);
    expect(during.length).toBeGreaterThan(0);
    for (const answer of during) expect(answer).toEqual(before);

    // The live projection resumed from the rebuilt checkpoint: a new login counts once.
    const after = await logIn(e2e.http, e2e.smtp, apiKey, 'two@example.com');
    const totals = await usageTotals(e2e.http, apiKey, after.headers.get('x-event-position')!);
    expect(totals).toMatchObject({ otpRequested: 2, otpVerified: 2, logins: 2, usersCreated: 2 });
  }, 120_000);

  it('refuses an unknown projection, and a second rebuild of one already running', async () => {
    const unknown = await rebuild(['nonsense'], env());
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/customers, usage, audit/);

    const [first, second] = await Promise.all([rebuild(['audit'], env()), rebuild(['audit'], env())]);
    expect([first.code, second.code].sort()).toEqual([0, 1]);
    expect(first.stderr + second.stderr).toMatch(/already being rebuilt/);

    const denied = await e2e.http('POST', '/v1/admin/projections/audit/rebuild', { token: 'op_wrong_token_that_is_long_enough_012345' });
    expect(denied.status).toBe(401);
  });

  it('rebuilds DATA_DIR itself when no server runs, and the server starts on the rebuilt read models', async () => {
    const { apiKey, position } = await registerCustomer(e2e.http, 'Offline');
    const loggedIn = await logIn(e2e.http, e2e.smtp, apiKey, 'three@example.com');
    // Read once the login is projected: the registration's position alone let `before` miss it.
    const loginPosition = loggedIn.headers.get('x-event-position')!;
    await caughtUp(apiKey, loginPosition);
    const before = await usageTotals(e2e.http, apiKey, loginPosition);
    expect(before.logins).toBe(1);
    await e2e.server.stop();

    const { code, stdout, stderr } = await rebuild(['customers'], env());
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toMatch(/^rebuilt customers: /);

    await e2e.start();
    expect(await usageTotals(e2e.http, apiKey, position)).toEqual(before);
    const customer = await e2e.http('GET', '/v1/customer', { token: apiKey, headers: { 'x-min-position': position } });
    expect(customer.status).toBe(200);
    expect(customer.body.name).toBe('Offline');
  });

  it('explains itself', async () => {
    const { code, stdout } = await rebuild(['--help'], env());
    expect(code).toBe(0);
    expect(stdout).toMatch(/npm run rebuild -- <projection>/);
  });
});
