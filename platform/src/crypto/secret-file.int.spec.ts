import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecretFile } from './secret-file';

describe('secret files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-secret-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the secret once, readable by its owner only, and reads it back after', () => {
    const path = join(dir, 'nested', 'hash-key');
    expect(loadOrCreateSecretFile(path, () => 'first-secret')).toEqual({ value: 'first-secret', created: true });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSecretFile(path, () => 'second-secret')).toEqual({ value: 'first-secret', created: false });
    expect(readdirSync(join(dir, 'nested'))).toEqual(['hash-key']);
  });

  it('keeps the secret of whoever created the file first, and leaves no temp file', () => {
    const path = join(dir, 'signing-key.json');
    // Another process creates the file while this one is generating its own.
    const outcome = loadOrCreateSecretFile(path, () => {
      writeFileSync(path, 'their-secret\n', { mode: 0o600 });
      return 'our-secret';
    });
    expect(outcome).toEqual({ value: 'their-secret', created: false });
    expect(readdirSync(dir)).toEqual(['signing-key.json']);
  });

  it('refuses an empty file instead of taking it as the secret', () => {
    const path = join(dir, 'operator-token');
    writeFileSync(path, '\n');
    expect(() => loadOrCreateSecretFile(path, () => 'x')).toThrow(/operator-token is empty: restore it from a backup, or delete it/);
  });
});
