import { join } from 'node:path';
import { problemTypes, READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { findDistributedServers } from '../support/distributed-servers';
import { useDistributedServices } from '../support/use-distributed-services';
import { logIn, registerCustomer } from '../support/logins';
import { readModelDocuments, waitForCheckpoints } from '../support/mongo-read-models';
import { seedLogins } from '../support/seed-logins';
import { OPERATOR_TOKEN, type ServerProcess } from '../support/server-process';
import { runRebuildTool } from '../support/rebuild-tool';
import { storedPositions } from '../support/stored-events';
import { usageTotals } from '../support/usage';

/**
 * `npm run rebuild` against the distributed projection-service: MongoDB-wire read models
 * (FerretDB), the holder of the lease rebuilding beside the live collections while the query
 * service reads them, and a standby that says it is not the one to ask.
 */
const servers = findDistributedServers();
if (!servers.available) process.stdout.write(`skipped: distributed rebuild e2e: ${servers.reason}\n`);

const mongoUrl = servers.available ? servers.mongoUrl : '';

/** Seeded straight into the event store: about four events each, so a rebuild takes a while. */
const SEEDED_LOGINS = 600;

/** `npm run rebuild -- <projection>` as an operator runs it in the distributed form. */
const rebuild = (projection: string, projectionServiceUrl: string) =>
  runRebuildTool([projection], { PROJECTION_SERVICE_URL: projectionServiceUrl });

describe.skipIf(!servers.available)('npm run rebuild against the distributed projection-service', () => {
  const d = useDistributedServices(servers, 'dist-rebuild', { seed: (root) => seedLogins(root, SEEDED_LOGINS) });
  let active: ServerProcess;
  beforeAll(async () => {
    if (!servers.available) return;
    active = d.services.projections[0]!;
    await lineIn(active, 'lease taken');
  }, 60_000);

  /** Every event so far projected: the read models to compare a rebuild with. */
  const caughtUp = async () => {
    const end = BigInt(storedPositions(join(d.root, 'events.sqlite')).at(-1)!.position);
    await waitForCheckpoints(mongoUrl, d.database, READ_MODEL_PROJECTIONS, end);
  };

  it('rebuilds usage beside the live one while queries answer, with the same totals during and after', async () => {
    const { apiKey } = await registerCustomer(d.services.http);
    const verified = await logIn(d.services.http, d.smtp, apiKey, 'one@example.com');
    const position = verified.headers.get('x-event-position')!;
    const started = Date.now();
    await caughtUp();
    process.stdout.write(`distributed rebuild: the first start projected the seeded log in ${Date.now() - started} ms\n`);
    const before = await usageTotals(d.services.http, apiKey, position);
    expect(before).toMatchObject({ otpRequested: 1, otpVerified: 1, logins: 1 });
    const usageBefore = (await readModelDocuments(mongoUrl, d.database))['usage'];
    expect(usageBefore?.length).toBeGreaterThan(1);

    const running = rebuild('usage', active.baseUrl);
    const during: Record<string, number>[] = [];
    let finished = false;
    void running.finally(() => (finished = true));
    while (!finished) {
      during.push(await usageTotals(d.services.http, apiKey, position));
      await new Promise((r) => setTimeout(r, 50));
    }
    const { code, stdout, stderr } = await running;
    process.stdout.write(`distributed rebuild: ${stdout.trim()}; ${during.length} usage queries answered meanwhile\n`);
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stderr).toMatch(/rebuild usage: (building|swapping), [\d,]+ events/);
    expect(stdout).toMatch(/^rebuilt usage: \d+ events, through position \d+/);
    expect(during.length).toBeGreaterThan(0);
    for (const answer of during) expect(answer).toEqual(before);
    // Every tenant's buckets, the seeded ones too, as the live projection had them.
    const after = await readModelDocuments(mongoUrl, d.database);
    expect(after['usage']).toEqual(usageBefore);
    expect(Object.keys(after).filter((name) => name.endsWith('_rebuild'))).toEqual([]);

    // The live projection resumed from the rebuilt checkpoint: a new login counts once.
    const again = await logIn(d.services.http, d.smtp, apiKey, 'two@example.com');
    const totals = await usageTotals(d.services.http, apiKey, again.headers.get('x-event-position')!);
    expect(totals).toMatchObject({ otpRequested: 2, otpVerified: 2, logins: 2, usersCreated: 2 });
  }, 180_000);

  it('answers a second rebuild of the same projection at once with 409, and a wrong token with 401', async () => {
    const [first, second] = await Promise.all([rebuild('audit', active.baseUrl), rebuild('audit', active.baseUrl)]);
    expect([first.code, second.code].sort()).toEqual([0, 1]);
    expect(first.stderr + second.stderr).toMatch(/refused the rebuild: 409 projection audit is already being rebuilt/);

    const denied = await fetch(`${active.baseUrl}/v1/admin/projections/audit/rebuild`, {
      method: 'POST',
      headers: { authorization: 'Bearer op_wrong_token_that_is_long_enough_012345' },
    });
    expect(denied.status).toBe(401);
  }, 180_000);

  it('has a standby answer 503 not-lease-holder, and the tool say where to go', async () => {
    const standby = await d.services.addProjectionService();
    const answer = await fetch(`${standby.baseUrl}/v1/admin/projections/usage/rebuild`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
    });
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await answer.json()).toMatchObject({ type: problemTypes.notLeaseHolder, status: 503 });

    const { code, stderr } = await rebuild('usage', standby.baseUrl);
    expect(code).toBe(1);
    expect(stderr).toMatch(/503 this projection-service stands by .*lease/);
    // It stood by throughout: the holder still projects, the standby never took the lease.
    expect(standby.output.some((line) => line.includes('lease taken'))).toBe(false);
  });
});

/** A process's log line, waited for: the lease is taken when its first ask is answered. */
async function lineIn(server: ServerProcess, text: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (server.output.some((line) => line.includes(text))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no line with "${text}"`);
}
