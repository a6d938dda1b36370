import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a secret kept in a file, creating it with `generate` on first use.
 * Mode 0600 and an exclusive create ('wx'), so two processes starting together
 * cannot each write a different secret.
 */
export function loadOrCreateSecretFile(path: string, generate: () => string): { value: string; created: boolean } {
  try {
    return { value: readFileSync(path, 'utf8').trim(), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(path), { recursive: true });
  const value = generate();
  try {
    writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return { value, created: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { value: readFileSync(path, 'utf8').trim(), created: false };
  }
}
