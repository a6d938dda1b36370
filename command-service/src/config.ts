import { z } from 'zod';
import { CommonEnv, DistributedEnv, EventStoreChoiceEnv, withEventStoreChoice } from '@otp/platform/config';
import { ConnectionLimitsEnv } from '@otp/platform/http';

/** Write-side settings the same in every mode: email sender, code length, token lifetimes. */
export const CommandSettingsEnv = {
  MAIL_FROM: z.string().default('OTP Auth <no-reply@localhost>'),
  OTP_CODE_LENGTH: z.coerce.number().int().min(6).max(9).default(9),
  // Code requests per email per hour, until tenants have settings of their own.
  OTP_PER_EMAIL_PER_HOUR: z.coerce.number().int().positive().default(3),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(3600)
    .default(30 * 86_400),
  /** The absolute expiry of a session (RFC 9700 §4.14.2): refreshing never extends it. */
  SESSION_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(3600)
    .default(90 * 86_400),
  /** Names the signing keys' stream (`signingkeys-<id>`) that every instance of one deployment shares. */
  DEPLOYMENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/)
    .default('main'),
  /** Base64 of 32 bytes: seals the signing keys' private halves in their stream (AES-256-GCM). */
  SIGNING_KEY_ENCRYPTION_KEY: z.string().optional(),
};

/** The command service on its own (distributed mode): EventStoreDB (or a shared SQLite file), SMTP, a mounted signing key. */
export const CommandServiceEnv = CommonEnv.extend({
  PORT: CommonEnv.shape.PORT.default(3001),
  ...EventStoreChoiceEnv,
  HASH_KEY: DistributedEnv.HASH_KEY,
  OPERATOR_TOKEN: DistributedEnv.OPERATOR_TOKEN,
  // Where the OTP quotas are counted: the usage read model the projection-service writes.
  MONGODB_URL: DistributedEnv.MONGODB_URL,
  MONGODB_DB: DistributedEnv.MONGODB_DB,
  /**
   * Ed25519 key as JSON (a mounted secret): the signing keys' stream starts
   * with it, so tokens it signed before the stream existed keep verifying.
   * Created when the file is missing; after that, the stream decides which key
   * signs, the same for every instance. Without SIGNING_KEY_ENCRYPTION_KEY the
   * private halves are sealed under a key derived from HASH_KEY.
   */
  SIGNING_KEY_FILE: z.string().min(1),
  /** `smtp://host:port` (`?tls=off` for a local sink), `smtps://user:pass@host:465`. */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }),
  ...CommandSettingsEnv,
  ...ConnectionLimitsEnv,
  /** The `iss` of access tokens: the public URL the load balancer answers on, the same for every instance. */
  JWT_ISSUER: z.url(),
}).transform(withEventStoreChoice);
export type CommandServiceConfig = z.infer<typeof CommandServiceEnv>;
