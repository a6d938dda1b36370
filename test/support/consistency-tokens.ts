import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConsistencyTokens } from '@otp/platform/crypto';

/**
 * The token an operator's write at `position` would have answered with, for a test that knows
 * a position from the store itself (a backup's manifest, the file after a crash) rather than
 * from a write's answer. `hashKey` is the server's, base64 as in HASH_KEY or `DATA_DIR/hash-key`.
 */
export function operatorConsistencyToken(hashKey: string, position: bigint | number | string): string {
  return createConsistencyTokens(Buffer.from(hashKey.trim(), 'base64')).issue('operator', BigInt(position));
}

/** The same, with the hash key an embedded server keeps in its DATA_DIR. */
export function consistencyTokenFromDataDir(dataDir: string, position: bigint | number | string): string {
  return operatorConsistencyToken(readFileSync(join(dataDir, 'hash-key'), 'utf8'), position);
}
