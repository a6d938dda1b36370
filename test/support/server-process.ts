import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** The bundle `npm start` runs. */
export const SERVER_ENTRY = resolve(import.meta.dirname, '../../dist/embedded.js');

/** The operator token the end-to-end servers run with: long enough for the server to accept it. */
export const OPERATOR_TOKEN = 'op_test_token_that_is_long_enough_0123456789';

/**
 * The real embedded server as a child process (the bundle `npm start` runs),
 * on a port the OS picks; `entry` names another bundle of dist/ (a distributed
 * service). Its stdout is kept so tests can assert on logs.
 */
export async function startServer(env: Record<string, string>, timeoutMs = 15_000, entry = SERVER_ENTRY) {
  const child: ChildProcess = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolvePort, reject) => {
    // A server that never says it listens is killed, so a failed start leaves no process behind.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms: ${stderr.join('')}`));
    }, timeoutMs);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr.join('')}${output.join('\n')}`)));
    lines.on('line', (line) => {
      output.push(line);
      const match = /"port":(\d+).*"msg":"listening/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    output,
    /** A crash: no shutdown hook runs, nothing is flushed. */
    async kill(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await once(child, 'exit');
    },
    async stop(): Promise<number | null> {
      // Killed (signalCode) or exited: its exit event has come and gone.
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      return code as number | null;
    },
  };
}
export type ServerProcess = Awaited<ReturnType<typeof startServer>>;
