import { resolve } from 'node:path';
import { z } from 'zod';
import { CommandSettingsEnv } from '@otp/command-service';
import { CommonEnv, SecretEnv, ServiceKeyEnv } from '@otp/platform/config';
import { ConnectionLimitsEnv, MetricsAccessEnv } from '@otp/platform/http';
import { ReadModelRetentionEnv } from '@otp/projection-service';

/** Where the embedded server keeps its files; tools that work on them read the same variable. */
export const DataDirEnv = z
  .string()
  .default('./data')
  .transform((p) => resolve(p));

/** Embedded mode: one process, SQLite files under DATA_DIR. */
export const EmbeddedEnv = CommonEnv.extend({
  DATA_DIR: DataDirEnv,
  /** When unset, one is generated on first start, kept in DATA_DIR/operator-token and printed once. */
  OPERATOR_TOKEN: SecretEnv.optional(),
  /** Key for keyed hashes, base64 of at least 32 bytes. When unset, generated once into DATA_DIR/hash-key. */
  HASH_KEY: z.string().optional(),
  SMTP_URL: z.url().optional(),
  ...CommandSettingsEnv,
  ...ServiceKeyEnv,
  ...ConnectionLimitsEnv,
  ...MetricsAccessEnv,
  /** The `iss` of access tokens; defaults to http://localhost:PORT. */
  JWT_ISSUER: z.string().optional(),
  NODE_ENV: z.string().optional(),
  ...ReadModelRetentionEnv,
}).refine((env) => env.SMTP_URL !== undefined || env.NODE_ENV !== 'production', {
  // Fail closed: the dev mailbox writes every code to a file and to the log, fine on a laptop,
  // a leak of every login in production (the image sets NODE_ENV=production).
  path: ['SMTP_URL'],
  message: 'is required when NODE_ENV=production: without it every code goes to the dev mailbox (files and log lines)',
});
export type EmbeddedConfig = z.infer<typeof EmbeddedEnv>;
