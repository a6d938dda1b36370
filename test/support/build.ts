import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** End-to-end tests run the bundle `npm start` runs; building takes well under a second. */
export function buildBundle(): void {
  execFileSync(process.execPath, [resolve(import.meta.dirname, '../../scripts/build.mjs')], { stdio: 'pipe' });
}
