import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * A fresh temp folder for each test of a spec file, removed after it together with what the
 * test asked to close first (stores, runners), in reverse order of asking.
 */
export function useTempFolder(prefix: string) {
  let dir = '';
  let closers: (() => Promise<void>)[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    closers = [];
  });
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    /** This test's folder. */
    path: (...names: string[]) => join(dir, ...names),
    closeAfter: (...close: (() => Promise<void>)[]) => void closers.push(...close),
  };
}
