import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { buildBundle } from '../support/build';
import { consistencyTokenFromDataDir } from '../support/consistency-tokens';
import { httpClient, type HttpCall } from '../support/http';
import { logIn, registerCustomer } from '../support/logins';
import { OPERATOR_TOKEN, startServer, type ServerProcess } from '../support/server-process';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { storedEvents } from '../support/stored-events';
import { usageTotals } from '../support/usage';

const run = promisify(execFile);

/** An operator tool (`dist/backup.js`, `dist/restore.js`) as a process; resolves with its exit code and output. */
async function tool(name: 'backup' | 'restore', dataDir: string, folder?: string) {
  const script = resolve(import.meta.dirname, `../../dist/${name}.js`);
  const args = folder === undefined ? [script] : [script, folder];
  try {
    const { stdout, stderr } = await run(process.execPath, args, { env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}
const backup = (dataDir: string, destination?: string) => tool('backup', dataDir, destination);
const restore = (dataDir: string, folder?: string) => tool('restore', dataDir, folder);

describe('backup of a running embedded server, and a server started on the backup', () => {
  let root: string;
  let smtp: SmtpSink;
  /** Every server a case started, so one a failing case left running is stopped, not left to the next case. */
  const servers: ServerProcess[] = [];
  const latest = (): ServerProcess => servers.at(-1)!;

  beforeAll(async () => {
    buildBundle();
    root = mkdtempSync(join(tmpdir(), 'otp-backup-'));
    smtp = await startSmtpSink();
  });

  afterAll(async () => {
    for (const running of servers) await running.stop();
    await smtp?.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Starts the server on `dataDir` (the one the test stops or kills before the next). */
  const start = async (dataDir: string): Promise<HttpCall> => {
    const started = await startServer({ DATA_DIR: dataDir, OPERATOR_TOKEN, SMTP_URL: smtp.url });
    servers.push(started);
    return httpClient(started.baseUrl);
  };
  const login = (http: HttpCall, apiKey: string, email: string) => logIn(http, smtp, apiKey, email);

  it('copies a consistent snapshot while requests go on, and the restored server keeps every customer, key, user and count', async () => {
    const dataDir = join(root, 'data');
    const http = await start(dataDir);
    const registered = await registerCustomer(http, 'Acme');
    const { apiKey } = registered;
    const first = await login(http, apiKey, 'ada@example.com');
    const kid = (await http('GET', '/.well-known/jwks.json')).body.keys[0].kid;

    // Requests go on committing until the tool has exited: the copy must hold whole commits up to
    // its snapshot, and the server must not notice.
    const destination = join(root, 'backup');
    let copying = true;
    const statuses: number[] = [];
    const writer = (async () => {
      for (let i = 0; copying; i++)
        statuses.push((await http('POST', '/v1/otp/request', { token: apiKey, body: { email: `during${i}@example.com` } })).status);
    })();
    const copied = await backup(dataDir, destination);
    copying = false;
    await writer;
    expect(statuses.every((status) => status === 202)).toBe(true);
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain('backup: complete');

    expect(readdirSync(destination).sort()).toEqual([
      'backup.json',
      'events.sqlite',
      'hash-key',
      'signing-key-encryption-key',
      'signing-key.json',
    ]);
    expect(statSync(destination).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(destination)) expect(statSync(join(destination, file)).mode & 0o777, file).toBe(0o600);
    const manifest = JSON.parse(readFileSync(join(destination, 'backup.json'), 'utf8'));
    const backedUp = storedEvents(join(destination, 'events.sqlite'));
    const inBackup = backedUp.length;
    // A key's use is recorded once a minute beside the requests (customers/key-use-recorder.ts).
    const keyUses = backedUp.filter((e) => e.type === 'ApiKeyUsed').length;
    // Each code sent through the relay records how it went, on the challenge's stream.
    const emailOutcomes = backedUp.filter((e) => e.type === 'EmailSent' || e.type === 'EmailFailed').length;
    // The deployment's signing keys (the key file and the next key, added at start) are no tenant's events.
    const signingKeyEvents = backedUp.filter((e) => e.type.startsWith('SigningKey')).length;
    const tenantEvents = inBackup - signingKeyEvents;
    expect(manifest.events).toBe(inBackup);
    expect(manifest.notInDataDir).toEqual(['operator-token']);
    // Two for the customer, six for the login (its email's outcome too), then two per request that committed before the snapshot;
    // some committed after it, so the copy really was taken while the server wrote.
    expect(tenantEvents).toBeGreaterThanOrEqual(8);
    expect(inBackup).toBeLessThan(storedEvents(join(dataDir, 'events.sqlite')).length);
    // No code, key or token in the copy's secrets list or manifest.
    expect(JSON.stringify(manifest)).not.toContain(apiKey.slice(-20));

    await latest().stop();
    // Restoring is starting on the backup's files: the read models are rebuilt from its events.
    const restored = await start(destination);
    const lastPosition = consistencyTokenFromDataDir(destination, manifest.lastPosition);
    const customer = await restored('GET', '/v1/customer', { token: apiKey, headers: { 'x-min-position': lastPosition } });
    expect(customer.status).toBe(200);
    // The same customer, its key now marked with its last use.
    const { lastUsedAt, ...key } = customer.body.apiKeys[0];
    expect({ ...customer.body, apiKeys: [key] }).toEqual(registered.customer);
    expect(lastUsedAt).toMatch(/:00\.000Z$/);
    // The key file's key came along as the stream's first key, still listed.
    expect((await restored('GET', '/.well-known/jwks.json')).body.keys[0].kid).toBe(kid);
    const audit = await restored('GET', '/v1/audit?limit=1000', { token: apiKey, headers: { 'x-min-position': lastPosition } });
    expect(audit.body.items).toHaveLength(tenantEvents);
    expect(await usageTotals(restored, apiKey, lastPosition)).toMatchObject({
      otpVerified: 1,
      usersCreated: 1,
      logins: 1,
      otpRequested: tenantEvents - 6 - keyUses - emailOutcomes,
    });
    // The same email is the same user: the hash key came along.
    const again = await login(restored, apiKey, 'ada@example.com');
    expect(again.body.user.id).toBe(first.body.user.id);
    await latest().stop();
  });

  it('refuses a destination that is not empty, a DATA_DIR without an event store, and a missing destination', async () => {
    // A DATA_DIR of this case's own with an event store in it, so each refusal is the one named.
    const dataDir = join(root, 'refusals');
    mkdirSync(dataDir);
    await openSqliteEventStore({ file: join(dataDir, 'events.sqlite') }).close();
    const full = join(root, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine');
    const notEmpty = await backup(dataDir, full);
    expect(notEmpty.code).toBe(1);
    expect(notEmpty.stderr).toContain('is not empty');
    expect(readdirSync(full)).toEqual(['keep.txt']);

    const noStore = await backup(join(root, 'nothing-here'), join(root, 'unused'));
    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toContain('events.sqlite does not exist');

    const noDestination = await backup(dataDir);
    expect(noDestination.code).toBe(1);
    expect(noDestination.stderr).toContain('npm run backup -- <folder>');
  });

  it('restores over a crashed server: the history of the backup, not the one its leftover WAL holds', async () => {
    const dataDir = join(root, 'crashed');
    let http = await start(dataDir);
    const { apiKey } = await registerCustomer(http, 'Initech');
    const kept = await login(http, apiKey, 'peter@example.com');
    const folder = join(root, 'before-the-crash');
    expect((await backup(dataDir, folder)).code).toBe(0);
    await login(http, apiKey, 'milton@example.com');
    await login(http, apiKey, 'samir@example.com');

    const whileRunning = await restore(dataDir, folder);
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.stderr).toContain('stop the server before restoring');

    await latest().kill();
    expect(readdirSync(dataDir)).toContain('events.sqlite-wal');
    const damaged = join(root, 'damaged');
    mkdirSync(damaged);
    for (const file of readdirSync(folder)) writeFileSync(join(damaged, file), readFileSync(join(folder, file)));
    writeFileSync(join(damaged, 'hash-key'), 'A'.repeat(44));
    const refused = await restore(dataDir, damaged);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the backup is damaged');

    const restored = await restore(dataDir, folder);
    expect(restored.code, restored.stderr).toBe(0);
    const aside = readdirSync(dataDir).filter((name) => name.startsWith('replaced-'));
    expect(aside).toHaveLength(1);
    // The crashed server's files are kept as they were, its WAL beside its file, so they read back whole.
    expect(readdirSync(join(dataDir, aside[0]!))).toEqual(
      expect.arrayContaining(['events.sqlite', 'read-models.sqlite', 'hash-key', 'signing-key.json']),
    );
    expect(storedEvents(join(dataDir, aside[0]!, 'events.sqlite')).filter((e) => e.type === 'UserLoggedIn')).toHaveLength(3);

    http = await start(dataDir);
    const manifest = JSON.parse(readFileSync(join(folder, 'backup.json'), 'utf8'));
    expect(await usageTotals(http, apiKey, consistencyTokenFromDataDir(dataDir, manifest.lastPosition))).toMatchObject({
      logins: 1,
      usersCreated: 1,
    });
    const again = await login(http, apiKey, 'peter@example.com');
    expect(again.body.user.id).toBe(kept.body.user.id);
  });
});
