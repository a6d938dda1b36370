import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseEncryptionKey } from '@otp/command-service';
import { loadOrCreateSecretFile } from '@otp/platform/crypto';
import { SecretEnv } from '@otp/platform/config';
import { DATA_DIR_FILES } from './data-dir-files';

/** The HMAC key for secrets at rest. Losing it invalidates every stored code, key and email key: back it up with the data. */
export function loadHashKey(dataDir: string, fromEnv: string | undefined): Buffer {
  const encoded = fromEnv ?? loadOrCreateSecretFile(join(dataDir, DATA_DIR_FILES.hashKey), () => randomBytes(32).toString('base64')).value;
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 32) throw new Error('HASH_KEY must be base64 of at least 32 bytes');
  return key;
}

/** Seals the signing keys' private halves in their stream. Lose it and no instance can sign: back it up with the data. */
export function loadSigningKeyEncryptionKey(dataDir: string, fromEnv: string | undefined): Buffer {
  const file = join(dataDir, DATA_DIR_FILES.signingKeyEncryptionKey);
  return parseEncryptionKey(fromEnv ?? loadOrCreateSecretFile(file, () => randomBytes(32).toString('base64')).value);
}

/**
 * The operator token from the environment, or one generated on first start and
 * kept (mode 0600) in DATA_DIR. A new one is written to stdout once, outside
 * the structured logs, so log shipping never carries it.
 */
export function loadOperatorToken(dataDir: string, fromEnv: string | undefined): string {
  if (fromEnv) return fromEnv;
  const file = join(dataDir, DATA_DIR_FILES.operatorToken);
  const { value, created } = loadOrCreateSecretFile(file, () => `op_${randomBytes(32).toString('base64url')}`);
  // The same floor as the environment's: a hand-edited file must not weaken the operator's door.
  if (!SecretEnv.safeParse(value).success) throw new Error(`${file} must hold a token of at least 32 characters`);
  if (created) {
    process.stdout.write(`\nOperator token (shown once, also kept in ${file}):\n\n  ${value}\n\n`);
  }
  return value;
}
