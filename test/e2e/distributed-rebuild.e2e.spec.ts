import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { problemTypes, READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../support/build';
import { findDistributedServers } from '../support/distributed-servers';
import { startDistributedServices } from '../support/distributed-services';
import { logIn, registerCustomer } from '../support/logins';
import { dropDatabase } from '../support/mongo-database';
import { readModelDocuments, waitForCheckpoints } from '../support/mongo-read-models';
import { seedLogins } from '../support/seed-logins';
import { OPERATOR_TOKEN, type ServerProcess } from '../support/server-process';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
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

const REBUILD_ENTRY = resolve(import.meta.dirname, '../../dist/rebuild.js');
/** Seeded straight into the event store: about four events each, so a rebuild takes a while. */
const SEEDED_LOGINS = 600;

/** `npm run rebuild -- <projection>` as an operator runs it in the distributed form. */
async function rebuild(projection: string, projectionServiceUrl: string) {
  const child = spawn(process.execPath, [REBUILD_ENTRY, projection], {
    env: { PATH: process.env.PATH ?? '', PROJECTION_SERVICE_URL: projectionServiceUrl, OPERATOR_TOKEN, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe.skipIf(!servers.available)('npm run rebuild against the distributed projection-service', () => {
  let root: string;
  let smtp: SmtpSink;
  let services: Awaited<ReturnType<typeof startDistributedServices>>;
  let active: ServerProcess;
  const run = randomUUID().slice(0, 8);
  const database = `otp_dist_rebuild_${run}`;

  beforeAll(async () => {
    if (!servers.available) return;
    buildBundle();
    root = mkdtempSync(join(tmpdir(), 'otp-dist-rebuild-'));
    await seedLogins(root, SEEDED_LOGINS);
    smtp = await startSmtpSink();
    services = await startDistributedServices({
      root,
      kafkaBrokers: servers.kafkaBrokers,
      mongoUrl: servers.mongoUrl,
      database,
      topic: `otp-auth.events.dist-rebuild-${run}`,
      smtpUrl: smtp.url,
    });
    active = services.projections[0]!;
    await lineIn(active, 'lease taken');
  }, 60_000);

  afterAll(async () => {
    await services?.stop();
    await smtp?.close();
    if (!servers.available) return;
    await dropDatabase(servers.mongoUrl, database);
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Every event so far projected: the read models to compare a rebuild with. */
  const caughtUp = async () => {
    const end = BigInt(storedPositions(join(root, 'events.sqlite')).at(-1)!.position);
    await waitForCheckpoints(mongoUrl, database, READ_MODEL_PROJECTIONS, end);
  };

  it('rebuilds usage beside the live one while queries answer, with the same totals during and after', async () => {
    const { apiKey } = await registerCustomer(services.http);
    const verified = await logIn(services.http, smtp, apiKey, 'one@example.com');
    const position = verified.headers.get('x-event-position')!;
    const started = Date.now();
    await caughtUp();
    process.stdout.write(`distributed rebuild: the first start projected the seeded log in ${Date.now() - started} ms\n`);
    const before = await usageTotals(services.http, apiKey, position);
    expect(before).toMatchObject({ otpRequested: 1, otpVerified: 1, logins: 1 });
    const usageBefore = (await readModelDocuments(mongoUrl, database))['usage'];
    expect(usageBefore?.length).toBeGreaterThan(1);

    const running = rebuild('usage', active.baseUrl);
    const during: Record<string, number>[] = [];
    let finished = false;
    void running.finally(() => (finished = true));
    while (!finished) {
      during.push(await usageTotals(services.http, apiKey, position));
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
    const after = await readModelDocuments(mongoUrl, database);
    expect(after['usage']).toEqual(usageBefore);
    expect(Object.keys(after).filter((name) => name.endsWith('_rebuild'))).toEqual([]);

    // The live projection resumed from the rebuilt checkpoint: a new login counts once.
    const again = await logIn(services.http, smtp, apiKey, 'two@example.com');
    const totals = await usageTotals(services.http, apiKey, again.headers.get('x-event-position')!);
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
    const standby = await services.addProjectionService();
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
