import { z } from 'zod';
import { ApiKeySettings, EmailSettings, OtpSettings, QuotaSettings, TenantConfig, TokenSettings } from '../config/tenant-config';
import { IsoTimestamp } from '../ids';

/** `local@domain` or `Name <local@domain>`; which domains are allowed is decided elsewhere (verified sending domains). */
export const MailFrom = z
  .string()
  .max(320)
  .regex(
    /^(?:[^<>\r\n"]{1,100} <[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
    'must be local@domain or Name <local@domain>',
  );

/** What a tenant sends: its Resend key in plain text, once; it is sealed before it reaches an event and never shown again. */
export const EmailProviderBody = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('smtp') }).strict(),
  z
    .object({ kind: z.literal('resend'), apiKey: z.string().regex(/^re_[A-Za-z0-9_-]{8,200}$/, 'must be a Resend API key (re_...)') })
    .strict(),
]);
export type EmailProviderBody = z.infer<typeof EmailProviderBody>;

const EmailSettingsBody = EmailSettings.extend({ from: MailFrom.nullable(), provider: EmailProviderBody }).strict();

/** PUT /v1/customer/config: the whole document, as stored except the provider key. */
export const TenantConfigBody = TenantConfig.extend({ email: EmailSettingsBody }).strict();
export type TenantConfigBody = z.infer<typeof TenantConfigBody>;

/** PATCH /v1/customer/config: any section, any field of it; what is left out keeps its value, and an array is replaced whole. */
export const TenantConfigPatchBody = z
  .object({
    otp: OtpSettings.partial().strict().optional(),
    email: EmailSettingsBody.partial().strict().optional(),
    tokens: TokenSettings.partial().strict().optional(),
    quotas: QuotaSettings.partial().strict().optional(),
    apiKeys: ApiKeySettings.partial().strict().optional(),
    cors: TenantConfig.shape.cors.partial().strict().optional(),
    ipAllowlist: TenantConfig.shape.ipAllowlist.optional(),
  })
  .strict();
export type TenantConfigPatchBody = z.infer<typeof TenantConfigPatchBody>;

/** What GET shows of the provider: whether a key is set, never the key, sealed or not. */
export const EmailProviderView = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('smtp') }),
  z.object({ kind: z.literal('resend'), apiKeySet: z.literal(true) }),
]);

/** A version of the config as the API answers it; `version` is also the ETag, and 0 is the defaults. */
export const TenantConfigView = TenantConfig.extend({
  version: z.number().int().min(0),
  changedAt: IsoTimestamp.nullable(),
  email: EmailSettings.extend({ provider: EmailProviderView }),
});
export type TenantConfigView = z.infer<typeof TenantConfigView>;

/** `?version=N` (an earlier version) or `?asOf=<timestamp>` (the version in force then), not both. */
export const TenantConfigQuery = z
  .object({
    version: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    asOf: z.iso.datetime({ offset: true }).optional(),
  })
  .strict()
  .refine((q) => q.version === undefined || q.asOf === undefined, 'ask for a version or a time, not both');
export type TenantConfigQuery = z.infer<typeof TenantConfigQuery>;
