import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../support/build';
import { startServer, type ServerProcess } from '../support/server-process';

const run = promisify(execFile);
const README = resolve(import.meta.dirname, '../../README.md');
const SECTION = '## Five minutes with curl';
const MARK = '@@block@@';

/** The shell blocks of the README's walk-through, in the order a reader meets them. */
function walkthroughBlocks(): string[] {
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README.md has no section "${SECTION}"`);
  const end = readme.indexOf('\n## ', start + SECTION.length + 1);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/\n```sh\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
}

const installed = (shell: string): boolean => {
  try {
    execFileSync(shell, ['-c', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Every JSON answer a block printed, one a line. */
const answers = (output: string): Record<string, any>[] =>
  output.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, any>);

const SHELLS = ['bash', 'zsh'] as const;

describe.each(SHELLS)("the README's walk-through, run by %s", (shell) => {
  const available = installed(shell);
  if (!available) process.stdout.write(`skipped: the README's walk-through in ${shell}: ${shell} is not installed\n`);
  let root: string;
  let server: ServerProcess | undefined;
  beforeAll(() => buildBundle());
  afterEach(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it.skipIf(!available)('answers every command, ending with an access token', async () => {
    // The reader's second terminal: in the project folder with its default ./data; only PORT is set,
    // as the README says to when the server was started on another port.
    root = mkdtempSync(join(tmpdir(), 'otp-readme-'));
    server = await startServer({ DATA_DIR: join(root, 'data') });
    const port = new URL(server.baseUrl).port;
    const blocks = walkthroughBlocks();
    const script = ['set -e', ...blocks.flatMap((block) => [`printf '%s\\n' '${MARK}'`, block])].join('\n');

    const { stdout } = await run(shell, ['-c', script], { cwd: root, env: { PATH: process.env.PATH ?? '', PORT: port } });
    const [, setup, registered, requested, verified, usageAndAudit] = stdout.split(`${MARK}\n`).map(answers);

    expect(blocks).toHaveLength(5);
    expect(setup).toEqual([]);
    expect(registered![0]!.apiKey.key).toMatch(/^ok_/);
    expect(requested![0]!.challengeId).toMatch(/^chl_/);
    expect(verified![0]).toMatchObject({ tokenType: 'Bearer', user: { email: 'ada@example.com' } });
    expect(verified![0]!.accessToken.split('.')).toHaveLength(3);
    const [usage, audit] = usageAndAudit!;
    expect(usage!.buckets).toHaveLength(24);
    expect(audit!.items.length).toBeGreaterThan(0);
    // The walk-through keeps the key in variables, not in files beside the reader's checkout.
    expect(readdirSync(root)).toEqual(['data']);
  });
});
