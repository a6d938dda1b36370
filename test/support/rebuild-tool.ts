import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { OPERATOR_TOKEN } from './server-process';

const REBUILD_ENTRY = resolve(import.meta.dirname, '../../dist/rebuild.js');

/**
 * `npm run rebuild -- <args>` as a process (the bundle, so build first), with the operator token
 * and nothing else of this process's environment beside `env`: what it needs must be given.
 */
export async function runRebuildTool(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [REBUILD_ENTRY, ...args], {
    env: { PATH: process.env.PATH ?? '', OPERATOR_TOKEN, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
