import { z } from 'zod';
import { CommonEnv, DistributedEnv, EventStoreChoiceEnv, withEventStoreChoice } from '@otp/platform/config';
import { DnsResolverEnv } from '@otp/platform/dns';
import { ConnectionLimitsEnv, MetricsAccessEnv } from '@otp/platform/http';
import { SignupLimitsEnv } from './signup/signup-limits';

/** Write-side settings the same in every mode: email sender, session age, signing keys. */
export const CommandSettingsEnv = {
  MAIL_FROM: z.string().default('OTP Auth <no-reply@localhost>'),
  // Code length, lifetimes, limits and token lifetimes are each tenant's (PUT /v1/customer/config), no longer the deployment's.
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
  /** The Resend API, for tenants whose config sends through Resend with their own key; another URL is for a test server or an egress proxy. */
  RESEND_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).default('https://api.resend.com'),
  /** How long one Resend send may take, connecting and answering, before it counts as failed (`timeout`). */
  RESEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** Base64 of 32 bytes: seals the signing keys' private halves in their stream (AES-256-GCM). */
  SIGNING_KEY_ENCRYPTION_KEY: z.string().optional(),
  ...DnsResolverEnv,
  ...SignupLimitsEnv,
};
/** What the command side's composition reads of those: the key and the DNS servers reach it resolved (`secrets`, `lookupTxt`). */
export type CommandSettings = Omit<z.infer<z.ZodObject<typeof CommandSettingsEnv>>, 'SIGNING_KEY_ENCRYPTION_KEY' | 'DNS_RESOLVER'>;

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
  ...MetricsAccessEnv,
  /** The `iss` of access tokens: the public URL the load balancer answers on, the same for every instance. */
  JWT_ISSUER: z.url(),
}).transform(withEventStoreChoice);
export type CommandServiceConfig = z.infer<typeof CommandServiceEnv>;
