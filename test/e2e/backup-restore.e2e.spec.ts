import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../support/build';
import { httpClient, type HttpCall } from '../support/http';
import { OPERATOR_TOKEN, startServer, type ServerProcess } from '../support/server-process';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink';
import { storedEvents } from '../support/stored-events';

const BACKUP = resolve(import.meta.dirname, '../../dist/backup.js');
const run = promisify(execFile);

/** The backup tool as a process, like an operator runs it; resolves with its exit code and output. */
async function backup(dataDir: string, destination?: string) {
  const args = destination === undefined ? [BACKUP] : [BACKUP, destination];
  try {
    const { stdout, stderr } = await run(process.execPath, args, { env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('backup of a running embedded server, and a server started on the backup', () => {
  let root: string;
  let smtp: SmtpSink;
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    buildBundle();
    root = mkdtempSync(join(tmpdir(), 'otp-backup-'));
    smtp = await startSmtpSink();
  });

  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    rmSync(root, { recursive: true, force: true });
  });

  const login = async (http: HttpCall, apiKey: string, email: string) => {
    const sent = smtp.messages.length;
    expect((await http('POST', '/v1/otp/request', { token: apiKey, body: { email } })).status).toBe(202);
    const verified = await http('POST', '/v1/otp/verify', { token: apiKey, body: { email, code: await smtp.codeFor(email, sent) } });
    expect(verified.status).toBe(200);
    return verified;
  };

  it('copies a consistent snapshot while requests go on, and the restored server keeps every customer, key, user and count', async () => {
    const dataDir = join(root, 'data');
    server = await startServer({ DATA_DIR: dataDir, OPERATOR_TOKEN, SMTP_URL: smtp.url });
    const http = httpClient(server.baseUrl);
    const registered = await http('POST', '/v1/admin/customers', { token: OPERATOR_TOKEN, body: { name: 'Acme', email: 'ops@acme.test' } });
    const apiKey: string = registered.body.apiKey.key;
    const first = await login(http, apiKey, 'ada@example.com');
    const kid = (await http('GET', '/.well-known/jwks.json')).body.keys[0].kid;

    // Requests committed while the copy is taken: it must hold whole commits, and the server must not notice.
    const destination = join(root, 'backup');
    const during = Array.from({ length: 20 }, (_, i) => http('POST', '/v1/otp/request', { token: apiKey, body: { email: `during${i}@example.com` } }));
    const copied = await backup(dataDir, destination);
    expect((await Promise.all(during)).map((r) => r.status)).toEqual(Array(20).fill(202));
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stdout).toContain('backup: complete');

    expect(readdirSync(destination).sort()).toEqual(['backup.json', 'events.sqlite', 'hash-key', 'signing-key.json']);
    expect(statSync(destination).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(destination)) expect(statSync(join(destination, file)).mode & 0o777, file).toBe(0o600);
    const manifest = JSON.parse(readFileSync(join(destination, 'backup.json'), 'utf8'));
    const inBackup = storedEvents(join(destination, 'events.sqlite')).length;
    expect(manifest.events).toBe(inBackup);
    expect(manifest.notInDataDir).toEqual(['operator-token']);
    // Two for the customer, five for the login, then one per request that committed before the snapshot.
    expect(inBackup).toBeGreaterThanOrEqual(7);
    expect(inBackup).toBeLessThanOrEqual(27);
    // No code, key or token in the copy's secrets list or manifest.
    expect(JSON.stringify(manifest)).not.toContain(apiKey.slice(-20));

    await server.stop();
    // Restoring is starting on the backup's files: the read models are rebuilt from its events.
    server = await startServer({ DATA_DIR: destination, OPERATOR_TOKEN, SMTP_URL: smtp.url });
    const restored = httpClient(server.baseUrl);
    const customer = await restored('GET', '/v1/customer', { token: apiKey, headers: { 'x-min-position': manifest.lastPosition } });
    expect(customer.status).toBe(200);
    expect(customer.body).toEqual(registered.body.customer);
    expect((await restored('GET', '/.well-known/jwks.json')).body.keys[0].kid).toBe(kid);
    const audit = await restored('GET', '/v1/audit?limit=1000', { token: apiKey, headers: { 'x-min-position': manifest.lastPosition } });
    expect(audit.body.items).toHaveLength(inBackup);
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const usage = await restored('GET', `/v1/usage?from=${today}&to=${tomorrow}`, { token: apiKey, headers: { 'x-min-position': manifest.lastPosition } });
    expect(usage.body.buckets[0]).toMatchObject({ otpVerified: 1, usersCreated: 1, logins: 1, otpRequested: inBackup - 6 });
    // The same email is the same user: the hash key came along.
    const again = await login(restored, apiKey, 'ada@example.com');
    expect(again.body.user.id).toBe(first.body.user.id);
  });

  it('refuses a destination that is not empty, a DATA_DIR without an event store, and a missing destination', async () => {
    const dataDir = join(root, 'data');
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
});
