import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadOperatorToken } from './server-secrets';

describe('operator token', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'otp-operator-token-'));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates a long token on first start and keeps it', () => {
    const first = loadOperatorToken(dataDir, undefined);
    expect(first).toMatch(/^op_[A-Za-z0-9_-]{43}$/);
    expect(loadOperatorToken(dataDir, undefined)).toBe(first);
  });

  it('refuses a kept token shorter than the environment would accept', () => {
    writeFileSync(join(dataDir, 'operator-token'), 'abc\n', { mode: 0o600 });
    expect(() => loadOperatorToken(dataDir, undefined)).toThrow(/operator-token must hold a token of at least 32 characters/);
  });
});
