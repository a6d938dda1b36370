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
  output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);

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
    const script = ['set -e', ...blocks].join('\n');

    const { stdout } = await run(shell, ['-c', script], { cwd: root, env: { PATH: process.env.PATH ?? '', PORT: port } });
    const printed = answers(stdout);

    // No answer is a problem (an error), and each step's answer is there, in order.
    expect(printed.filter((answer) => String(answer.type ?? '').includes('/problems/'))).toEqual([]);
    const step = (has: (answer: Record<string, any>) => boolean) => printed.findIndex(has);
    const registered = step((a) => a.apiKey !== undefined);
    const requested = step((a) => a.challengeId !== undefined);
    const verified = step((a) => a.accessToken !== undefined);
    const usage = step((a) => a.buckets !== undefined);
    const audit = step((a) => a.items !== undefined);
    const order = [registered, requested, verified, usage, audit];
    expect(order).not.toContain(-1);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(printed[registered]!.apiKey.key).toMatch(/^ok_/);
    expect(printed[requested]!.challengeId).toMatch(/^chl_/);
    expect(printed[verified]).toMatchObject({ tokenType: 'Bearer', user: { email: 'ada@example.com' } });
    expect(printed[verified]!.accessToken.split('.')).toHaveLength(3);
    expect(printed[usage]!.buckets).toHaveLength(24);
    expect(printed[audit]!.items.length).toBeGreaterThan(0);
    // The walk-through keeps the key in variables, not in files beside the reader's checkout.
    expect(readdirSync(root)).toEqual(['data']);
  });
});
