import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, startProcess } from './support';

const ROOT = resolve(import.meta.dirname, '..');
const OPERATOR_TOKEN = 'op_bench_token_long_enough_0123456789abcdef';
/** Long enough for start-up work (keys, schema, the projections' first catch-up) to be over. */
const SETTLE_MS = 3_000;

export interface IdleFigures {
  /** CPU time over wall time, all threads of the process: 0.01 is 1% of one core. */
  coreShare: number;
  seconds: number;
}

/**
 * The CPU an embedded server with no traffic uses: user plus system time of all its threads,
 * read from /proc over `seconds` quiet seconds after it has settled. Linux only: undefined
 * elsewhere. One customer is registered first, so the figure is that of a server that has
 * served something, not of an empty one.
 */
export async function benchIdle(seconds: number): Promise<IdleFigures | undefined> {
  if (!existsSync('/proc/self/stat')) return undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'otp-bench-idle-'));
  const port = await freePort();
  const server = await startProcess(
    [join(ROOT, 'dist/embedded.js')],
    { DATA_DIR: dataDir, OPERATOR_TOKEN, LOG_LEVEL: 'info' },
    port,
    '/health/live',
  );
  try {
    await fetch(`http://127.0.0.1:${port}/v1/admin/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Idle', email: 'idle@example.com' }),
    });
    await sleep(SETTLE_MS);
    process.stdout.write(`  idle server: ${seconds}s without requests... `);
    const pid = server.pid!;
    const before = { ticks: cpuTicks(pid), at: performance.now() };
    await sleep(seconds * 1000);
    const after = { ticks: cpuTicks(pid), at: performance.now() };
    const coreShare = (after.ticks - before.ticks) / clockTicksPerSecond() / ((after.at - before.at) / 1000);
    process.stdout.write(`${(coreShare * 100).toFixed(2)}% of a core\n`);
    return { coreShare, seconds };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** utime + stime of every thread of the process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name, in parentheses, may hold spaces; the fields after it do not.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[14 - 3]) + Number(fields[15 - 3]);
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}
