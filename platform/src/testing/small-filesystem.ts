import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type SmallFilesystem = { available: true; dir: string; release: () => void } | { available: false; reason: string };

/**
 * A tmpfs of `megabytes` mounted on a temp folder, for tests that need a disk that really
 * fills up. Mounting needs root (or CAP_SYS_ADMIN); elsewhere the caller skips with the reason.
 */
export function mountSmallFilesystem(megabytes: number): SmallFilesystem {
  const dir = mkdtempSync(join(tmpdir(), 'otp-small-fs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    return { available: false, reason: `cannot mount a tmpfs here (${detail.split('\n')[0]})` };
  }
  return {
    available: true,
    dir,
    release: () => {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
