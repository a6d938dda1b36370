import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { useEmbeddedServer } from '../support/embedded-server';
import { logIn, registerCustomer } from '../support/logins';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'tools/audit-cli/main.ts');
// What `npm run audit` runs, from a folder of the auditor's own: tsx is found from the repository, not from there.
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx/esm')).href;

/** The auditor's CLI (tools/audit-cli) as a process, against the embedded server as a process. */
// Each case starts the CLI as a process a few times (tsx compiles it at each start): seconds each on a busy machine.
describe('npm run audit: export, checkpoint, verify', () => {
  const e2e = useEmbeddedServer('otp-audit-cli-');
  const work = mkdtempSync(join(tmpdir(), 'otp-audit-cli-work-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function audit(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        ['--import', TSX, CLI, ...args],
        { cwd: work, env: { ...process.env, AUDIT_URL: e2e.server.baseUrl, ...env } },
        (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
  }
  const lines = (file: string) =>
    readFileSync(join(work, file), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { sequence: number; type: string });

  it('explains every command in --help', { timeout: 30_000 }, async () => {
    const help = await audit(['--help']);
    expect(help.code).toBe(0);
    for (const word of ['export --out', 'checkpoint', 'verify', '--file', '--jwks', '--server', 'AUDIT_API_KEY', 'Exit status']) {
      expect(help.stdout).toContain(word);
    }
  });

  it(
    'checkpoints, exports resumably, and verifies the grown history against the checkpoint, online and offline',
    { timeout: 120_000 },
    async () => {
      const { apiKey } = await registerCustomer(e2e.http, 'Acme');
      const env = { AUDIT_API_KEY: apiKey };
      await logIn(e2e.http, e2e.smtp, apiKey, 'ada@example.com');

      const checkpoint = await audit(['checkpoint'], env);
      expect(checkpoint.code, checkpoint.stderr).toBe(0);
      expect(checkpoint.stdout).toMatch(/checkpoint of cus_[0-9a-f]{16}: \d+ events, head [0-9a-f]{64}, saved to audit-checkpoints.ndjson/);

      const first = await audit(['export', '--out', 'acme.ndjson'], env);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/export: \d+ events, \d+ events\/s, at sequence \d+/);
      const exported = lines('acme.ndjson');
      expect(exported.map((l) => l.sequence)).toEqual(exported.map((_, i) => i + 1));

      // The history grows; an interrupted run left half a line; the next run goes on from the last whole one.
      await logIn(e2e.http, e2e.smtp, apiKey, 'bob@example.com');
      appendFileSync(join(work, 'acme.ndjson'), '{"sequence":');
      const resumed = await audit(['export', '--out', 'acme.ndjson'], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain(`exported sequences ${exported.length + 1} to`);
      const all = lines('acme.ndjson');
      expect(all.length).toBeGreaterThan(exported.length);
      expect(all.map((l) => l.sequence)).toEqual(all.map((_, i) => i + 1));

      for (const args of [['verify'], ['verify', '--file', 'acme.ndjson'], ['verify', '--server']]) {
        const verified = await audit(args, env);
        expect([verified.code, verified.stderr], args.join(' ')).toEqual([0, expect.any(String)]);
        // Offline, the file is the history; online, the history may have grown since the export (a key's use
        // is recorded once a minute, in the background, and the CLI's own calls use the key).
        const checked = (JSON.parse(verified.stdout.split('\n')[0]!) as { eventsChecked: number }).eventsChecked;
        if (args.includes('--file')) expect(checked).toBe(all.length);
        else expect(checked).toBeGreaterThanOrEqual(all.length);
        expect(verified.stdout).toContain(`VALID: ${checked} events, every chain holds, and extends the last saved checkpoint`);
        expect(JSON.parse(verified.stdout.split('\n')[0]!)).toMatchObject({ valid: true, extendsCheckpoint: true });
      }
      expect((await audit(['checkpoint'], env)).code).toBe(0);
      expect(readFileSync(join(work, 'audit-checkpoints.ndjson'), 'utf8').trim().split('\n')).toHaveLength(2);
    },
  );

  it('exits 1 with the sequence of an event altered in the SQLite file, and 2 without a key', { timeout: 60_000 }, async () => {
    const { apiKey, customerId } = await registerCustomer(e2e.http, 'Globex');
    const env = { AUDIT_API_KEY: apiKey };
    await logIn(e2e.http, e2e.smtp, apiKey, 'eve@example.com');
    const db = new Database(join(e2e.dataDir, 'events.sqlite'));
    try {
      db.prepare("UPDATE events SET data = json_set(data, '$.name', 'Globex Evil') WHERE tenant = ? AND tenant_seq = 1").run(customerId);
    } finally {
      db.close();
    }
    const checkpoints = ['--checkpoints', 'globex-checkpoints.ndjson'];
    for (const args of [
      ['verify', ...checkpoints],
      ['verify', '--server', ...checkpoints],
    ]) {
      const verified = await audit(args, env);
      expect(verified.code, args.join(' ')).toBe(1);
      expect(verified.stdout).toContain('INVALID: the event at sequence 1 does not match its hash chain');
    }
    const keyless = await audit(['verify'], { AUDIT_API_KEY: '' });
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toContain('no API key');
  });
});
