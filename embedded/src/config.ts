import { resolve } from 'node:path';
import { z } from 'zod';
import { CommonEnv, SecretEnv } from '@otp/platform/config';

/** Embedded mode: one process, SQLite files under DATA_DIR. */
export const EmbeddedEnv = CommonEnv.extend({
  DATA_DIR: z.string().default('./data').transform((p) => resolve(p)),
  /** When unset, one is generated on first start, kept in DATA_DIR/operator-token and printed once. */
  OPERATOR_TOKEN: SecretEnv.optional(),
  /** Key for keyed hashes, base64 of at least 32 bytes. When unset, generated once into DATA_DIR/hash-key. */
  HASH_KEY: z.string().optional(),
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().default('OTP Auth <no-reply@localhost>'),
  OTP_CODE_LENGTH: z.coerce.number().int().min(6).max(9).default(9),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(3600).default(30 * 86_400),
  /** The `iss` of access tokens; defaults to http://localhost:PORT. */
  JWT_ISSUER: z.string().optional(),
});
export type EmbeddedConfig = z.infer<typeof EmbeddedEnv>;
