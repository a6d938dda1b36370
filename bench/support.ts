import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import autocannon from 'autocannon';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Starts a server process and resolves once it answers `readyPath`. `BENCH_NODE_ARGS` adds
 * node options to it, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to see where the time goes.
 */
export async function startProcess(args: string[], env: Record<string, string>, port: number, readyPath: string) {
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${readyPath}`);
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${args.join(' ')} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

export interface LoadFigures {
  rps: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
}

export async function load(options: autocannon.Options, label: string): Promise<LoadFigures> {
  process.stdout.write(`  ${label}: ${options.duration}s with ${options.connections} connections... `);
  const result = await autocannon(options);
  const figures = {
    rps: Math.round(result.requests.average),
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
  process.stdout.write(`${figures.rps} req/s, p99 ${figures.p99Ms} ms, ${figures.non2xx} non-2xx, ${figures.errors} errors\n`);
  return figures;
}
