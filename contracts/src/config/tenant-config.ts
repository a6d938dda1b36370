import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * A tenant's configuration as it is stored: every version is a whole document
 * (a few hundred bytes), so `?version=N` and `asOf` reads are one event each,
 * never a replay of patches. Secrets in it (an email provider's API key) are
 * sealed before they reach an event; `TenantConfigView` is what GET shows.
 */
export const OtpSettings = z
  .object({
    length: z.number().int().min(6).max(9),
    ttlSeconds: z.number().int().min(60).max(3600),
    maxAttempts: z.number().int().min(1).max(10),
    perEmailPerHour: z.number().int().min(1).max(100),
  })
  .strict();

/** How a tenant's mail leaves: the deployment's SMTP relay, or an HTTP provider with the tenant's own API key. */
export const StoredEmailProvider = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('smtp') }).strict(),
  // AES-256-GCM sealed (`v1.<iv>.<ciphertext>.<tag>`); opened only to send.
  z.object({ kind: z.literal('resend'), apiKeySealed: z.string().min(1) }).strict(),
]);
export type StoredEmailProvider = z.infer<typeof StoredEmailProvider>;

export const EmailSettings = z
  .object({
    appName: z.string().max(100),
    // Empty means "the service's default text"; otherwise a template with {{otp}}.
    subject: z.string().max(200),
    text: z.string().max(10_000),
    html: z.string().max(50_000),
    // `Name <local@domain>` or `local@domain`; its domain must be one the tenant verified.
    from: z.string().max(320).nullable(),
    provider: StoredEmailProvider,
  })
  .strict();

export const TokenSettings = z
  .object({
    accessTtlSeconds: z.number().int().min(60).max(86_400),
    refreshTtlSeconds: z
      .number()
      .int()
      .min(3600)
      .max(90 * 86_400),
  })
  .strict();

/** A tenant may lower its plan's quotas, never raise them (null: the plan's own). */
export const QuotaSettings = z
  .object({
    daily: z.number().int().min(0).nullable(),
    monthly: z.number().int().min(0).nullable(),
  })
  .strict();

export const ApiKeySettings = z
  .object({
    rotationGraceSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400),
  })
  .strict();

/** An origin as browsers send it: scheme, host and optional port, nothing else. */
export const Origin = z
  .string()
  .max(200)
  .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/, 'an origin is scheme://host[:port], lower case, without a path');

/** An IPv4 or IPv6 address, or a CIDR block of either. */
export const Cidr = z
  .string()
  .max(50)
  .refine((value) => {
    const [address = '', bits, ...rest] = value.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    if (bits === undefined) return true;
    const n = Number(bits);
    return /^\d{1,3}$/.test(bits) && n <= (family === 4 ? 32 : 128);
  }, 'not an IP address or CIDR block');

export const TenantConfig = z
  .object({
    otp: OtpSettings,
    email: EmailSettings,
    tokens: TokenSettings,
    quotas: QuotaSettings,
    apiKeys: ApiKeySettings,
    cors: z.object({ allowedOrigins: z.array(Origin).max(50) }).strict(),
    ipAllowlist: z.array(Cidr).max(100),
  })
  .strict();
export type TenantConfig = z.infer<typeof TenantConfig>;

/** Version 0: what a tenant that never wrote its config runs with. */
export const DEFAULT_TENANT_CONFIG: TenantConfig = {
  otp: { length: 9, ttlSeconds: 600, maxAttempts: 5, perEmailPerHour: 3 },
  email: { appName: '', subject: '', text: '', html: '', from: null, provider: { kind: 'smtp' } },
  tokens: { accessTtlSeconds: 900, refreshTtlSeconds: 2_592_000 },
  quotas: { daily: null, monthly: null },
  apiKeys: { rotationGraceSeconds: 604_800 },
  cors: { allowedOrigins: [] },
  ipAllowlist: [],
};
