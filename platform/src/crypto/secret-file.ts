import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomHex } from './secrets';

/**
 * Reads a secret kept in a file, creating it with `generate` on first use.
 *
 * The file appears whole or not at all: the secret is written and fsynced to a
 * private temp file (mode 0600), then hard-linked into place, which fails if the
 * name exists. So two processes starting together (replicas on one volume) end
 * up with one secret, neither can read a half-written file, and a crash leaves
 * no empty file that would stop every later start. An empty file is refused
 * rather than taken as a secret.
 */
export function loadOrCreateSecretFile(path: string, generate: () => string): { value: string; created: boolean } {
  const existing = readSecret(path);
  if (existing !== undefined) return { value: existing, created: false };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const value = generate();
  const temp = `${path}.${process.pid}.${randomHex(6)}.tmp`;
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${value}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
    return { value, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = readSecret(path);
    if (winner === undefined) throw new Error(`${path} vanished while being created`, { cause: error });
    return { value: winner, created: false };
  } finally {
    unlinkSync(temp);
  }
}

function readSecret(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const value = text.trim();
  if (value === '') throw new Error(`${path} is empty: restore it from a backup, or delete it to have a new one created`);
  return value;
}
