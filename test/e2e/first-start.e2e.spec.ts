import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../support/build';
import { SERVER_ENTRY, startServer } from '../support/server-process';

const run = promisify(execFile);

describe('the first start of the embedded server', () => {
  let root: string;
  let holder: Server | undefined;
  beforeAll(() => buildBundle());
  afterEach(() => {
    holder?.close();
    holder = undefined;
    rmSync(root, { recursive: true, force: true });
  });

  it('on a busy port names PORT and HOST, exits non-zero, and creates nothing', async () => {
    root = mkdtempSync(join(tmpdir(), 'otp-port-busy-'));
    holder = createServer();
    await new Promise<void>((resolve) => holder!.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    const dataDir = join(root, 'data');

    const failed = await run(process.execPath, [SERVER_ENTRY], {
      env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir },
    }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toBe(
      `otp-auth failed to start: PORT=${port} is already in use on HOST=127.0.0.1: stop the process that holds it, or choose another port, e.g. PORT=${port + 1}\n`,
    );
    expect(failed?.stdout).not.toContain('Operator token');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('says where to go next when it made DATA_DIR, and only then', async () => {
    root = mkdtempSync(join(tmpdir(), 'otp-first-start-'));
    const dataDir = join(root, 'data');
    const first = await startServer({ DATA_DIR: dataDir });
    await first.stop();
    const printed = first.output.join('\n');
    const port = /"port":(\d+)/.exec(printed)![1];
    expect(printed).toContain(`operator token   ${join(dataDir, 'operator-token')}`);
    expect(printed).toContain('README.md, "Five minutes with curl"');
    expect(printed).toContain(`http://127.0.0.1:${port}/docs`);
    expect(printed).toContain(`http://127.0.0.1:${port}/openapi.json`);

    const second = await startServer({ DATA_DIR: dataDir });
    await second.stop();
    expect(second.output.join('\n')).not.toContain('First start');
  });
});
