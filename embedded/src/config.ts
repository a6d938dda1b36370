import { resolve } from 'node:path';
import { z } from 'zod';
import { CommandSettingsEnv } from '@otp/command-service';
import { CommonEnv, SecretEnv } from '@otp/platform/config';

/** Embedded mode: one process, SQLite files under DATA_DIR. */
export const EmbeddedEnv = CommonEnv.extend({
  DATA_DIR: z.string().default('./data').transform((p) => resolve(p)),
  /** When unset, one is generated on first start, kept in DATA_DIR/operator-token and printed once. */
  OPERATOR_TOKEN: SecretEnv.optional(),
  /** Key for keyed hashes, base64 of at least 32 bytes. When unset, generated once into DATA_DIR/hash-key. */
  HASH_KEY: z.string().optional(),
  SMTP_URL: z.url().optional(),
  ...CommandSettingsEnv,
  /** The `iss` of access tokens; defaults to http://localhost:PORT. */
  JWT_ISSUER: z.string().optional(),
});
export type EmbeddedConfig = z.infer<typeof EmbeddedEnv>;
