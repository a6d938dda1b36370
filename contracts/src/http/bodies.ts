import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { normaliseEmail } from '../emails';
import { ApiKeyName, StatusReason } from '../events/customer-events';
import { SelfServicePlan, SignupRequested } from '../events/signup-events';
import { SendingDomain } from '../domains/sending-domain';
import { ApiKeyId, ApiKeyKind, ChallengeId, CustomerId, IsoTimestamp, Plan, Scope, SessionId, UserId } from '../ids';
import { ApiKeySummary, CustomerDocument, DomainSummary } from '../read-models/documents';

/**
 * An internationalised domain is taken in its ASCII form (punycode, as DNS and SMTP see it), so
 * `ann@münchen.de` and `ann@xn--mnchen-3ya.de` are one address, one challenge stream and one
 * user. A non-ASCII local part stays refused: it needs SMTPUTF8 all the way to the mailbox.
 * `domainToASCII` reads a URL host, so what a host may not hold in an address (a path, a
 * query, percent escapes, a port) is refused before, not cut off or decoded by it.
 */
const NOT_IN_A_DOMAIN = /[\s/\\?#%@:[\]]/;
const asciiDomain = (address: string): string => {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  // Printable ASCII is left to the email check as it is; anything else goes through IDNA.
  if (at < 0 || /^[ -~]*$/.test(domain)) return address;
  if (NOT_IN_A_DOMAIN.test(domain)) return address; // fails the email check below
  return `${address.slice(0, at)}@${domainToASCII(domain)}`;
};

/** zod's email pattern, with a top-level domain that may be internationalised (`xn--p1ai` for `рф`). */
const EMAIL_PATTERN = new RegExp(z.regexes.email.source.replace(/\[A-Za-z\]\{2,\}\$$/, '(?:[A-Za-z]{2,}|xn--[A-Za-z0-9-]+)$'));

// Bodies are strict: an unknown field is an error, not silently dropped.
const Email = z
  .string({ error: 'must be an email address' })
  .max(254, 'must be an email address of at most 254 characters')
  .meta({ format: 'idn-email', description: 'an internationalised domain is answered and kept in its ASCII (punycode) form' })
  .transform(asciiDomain)
  .pipe(
    z.email({ pattern: EMAIL_PATTERN, error: 'must be an email address' }).max(254, 'must be an email address of at most 254 characters'),
  );

export const RegisterCustomerBody = z.object({ name: z.string().trim().min(1).max(200), email: Email, plan: Plan.optional() }).strict();
export type RegisterCustomerBody = z.infer<typeof RegisterCustomerBody>;

export const RequestOtpBody = z.object({ email: Email }).strict();
export type RequestOtpBody = z.infer<typeof RequestOtpBody>;

export const VerifyOtpBody = z
  .object({
    email: Email,
    code: z.string().regex(/^[0-9]{6,9}$/, 'must be 6 to 9 digits'),
    // The challenge the code was sent for: a guess naming another cannot touch it.
    challengeId: ChallengeId.optional(),
  })
  .strict();
export type VerifyOtpBody = z.infer<typeof VerifyOtpBody>;

/** A self-service signup: no credential, so nothing here is trusted beyond its shape. */
export const SignupBody = z
  .object({ email: Email, companyName: SignupRequested.shape.companyName, plan: SelfServicePlan.optional() })
  .strict();
export type SignupBody = z.infer<typeof SignupBody>;

/** The signup's code is checked as an end user's is: the same fields, the same rules. */
export const VerifySignupBody = VerifyOtpBody;
export type VerifySignupBody = VerifyOtpBody;

export const IssuedApiKey = z.object({
  id: ApiKeyId,
  // Shown exactly once, in the response that creates it.
  key: z.string(),
  prefix: z.string(),
  scopes: z.array(Scope),
  name: z.string().optional(),
  kind: ApiKeyKind,
});
export type IssuedApiKey = z.infer<typeof IssuedApiKey>;

export const OtpRequestAccepted = z.object({ challengeId: ChallengeId, expiresAt: IsoTimestamp });
export type OtpRequestAccepted = z.infer<typeof OtpRequestAccepted>;

export const TokenResponse = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  user: z.object({ id: UserId, email: z.string() }),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const CustomerIdParam = z.object({ id: CustomerId }).strict();

/** A customer as the API shows it: the read-model document with its keys as a list. */
export const CustomerView = CustomerDocument.omit({ _id: true, apiKeys: true, domains: true }).extend({
  apiKeys: z.array(ApiKeySummary),
  domains: z.array(DomainSummary),
});
export type CustomerView = z.infer<typeof CustomerView>;

/** PATCH /v1/customer: what the tenant may change about its own account; at least one field. */
export const UpdateCustomerBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    companyName: z.string().trim().min(1).max(200).optional(),
    contactEmail: Email.optional(),
  })
  .strict()
  .refine(
    (b) => b.name !== undefined || b.companyName !== undefined || b.contactEmail !== undefined,
    'send name, companyName or contactEmail',
  );
export type UpdateCustomerBody = z.infer<typeof UpdateCustomerBody>;

export const CustomerRegisteredResponse = z.object({ customer: CustomerView, apiKey: IssuedApiKey });
export type CustomerRegisteredResponse = z.infer<typeof CustomerRegisteredResponse>;

/** What a publishable key may do: request and verify codes, nothing else. */
export const PUBLISHABLE_SCOPES: readonly Scope[] = ['otp:write'];

/** A secret key names its scopes; a publishable one has `otp:write` alone, so its scopes may be left out. */
export const IssueApiKeyBody = z
  .object({
    scopes: z
      .array(Scope)
      .min(1)
      .refine((s) => new Set(s).size === s.length, 'scopes must not repeat')
      .optional(),
    name: ApiKeyName.optional(),
    kind: ApiKeyKind.default('secret'),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.kind === 'secret' && body.scopes === undefined) {
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'a secret key needs its scopes' });
    }
    if (body.kind === 'publishable' && body.scopes !== undefined && body.scopes.some((s) => !PUBLISHABLE_SCOPES.includes(s))) {
      ctx.addIssue({ code: 'custom', path: ['scopes'], message: 'a publishable key may only hold otp:write' });
    }
  });
export type IssueApiKeyBody = z.infer<typeof IssueApiKeyBody>;

export const AddDomainBody = z.object({ domain: SendingDomain }).strict();
export type AddDomainBody = z.infer<typeof AddDomainBody>;
export const DomainParam = z.object({ domain: SendingDomain }).strict();
export const DomainList = z.object({ items: z.array(DomainSummary) });

// Sessions and the end user's own profile.
const TokenString = z.string().min(1).max(4096);

export const RefreshTokenBody = z.object({ refreshToken: TokenString }).strict();
export type RefreshTokenBody = z.infer<typeof RefreshTokenBody>;

/** RFC 7009 and RFC 7662 name the field `token`, with an optional hint the server may ignore (and does: the shape says which). */
const TokenHint = z.enum(['access_token', 'refresh_token']).optional();
export const RevokeTokenBody = z.object({ token: TokenString, token_type_hint: TokenHint }).strict();
export type RevokeTokenBody = z.infer<typeof RevokeTokenBody>;
export const IntrospectTokenBody = z.object({ token: TokenString, token_type_hint: TokenHint }).strict();
export type IntrospectTokenBody = z.infer<typeof IntrospectTokenBody>;

/** RFC 7662: an inactive token says nothing else about itself. */
export const IntrospectionResponse = z.union([
  z.object({
    active: z.literal(true),
    token_type: z.enum(['access_token', 'refresh_token']),
    sub: UserId,
    aud: CustomerId,
    client_id: z.string().optional(),
    exp: z.number().int(),
    iat: z.number().int().optional(),
    jti: z.string().optional(),
    sid: SessionId,
    scope: z.string().optional(),
  }),
  z.object({ active: z.literal(false) }),
]);
export type IntrospectionResponse = z.infer<typeof IntrospectionResponse>;

export const METADATA_MAX_BYTES = 4096;
export const METADATA_MAX_KEYS = 50;
/** The tenant's own fields on a user: a flat-keyed JSON object, small enough to ride in every read. */
export const UserMetadata = z
  .record(z.string().min(1).max(64), z.json())
  .refine((m) => Object.keys(m).length <= METADATA_MAX_KEYS, `must have at most ${METADATA_MAX_KEYS} keys`)
  .refine((m) => Buffer.byteLength(JSON.stringify(m)) <= METADATA_MAX_BYTES, `must be at most ${METADATA_MAX_BYTES} bytes as JSON`);
export type UserMetadata = z.infer<typeof UserMetadata>;

export const UpdateProfileBody = z
  .object({ name: z.string().trim().min(1).max(200).optional(), metadata: UserMetadata.optional() })
  .strict()
  .refine((b) => b.name !== undefined || b.metadata !== undefined, 'send name, metadata or both');
export type UpdateProfileBody = z.infer<typeof UpdateProfileBody>;

export const UserProfile = z.object({
  id: UserId,
  email: z.string(),
  createdAt: IsoTimestamp,
  lastLoginAt: IsoTimestamp.nullable(),
  name: z.string().nullable(),
  metadata: z.record(z.string(), z.json()),
});
export type UserProfile = z.infer<typeof UserProfile>;

export const ApiKeyIdParam = z.object({ id: ApiKeyId }).strict();

/** Bounded as the decider bounds it (30 days), so a bad grace is refused here with its field named. */
export const RotateApiKeyBody = z
  .object({
    graceSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .optional(),
  })
  .strict();
export type RotateApiKeyBody = z.infer<typeof RotateApiKeyBody>;

/** The key that replaces a rotated one (shown once), and until when the old one still works. */
export const RotatedApiKey = IssuedApiKey.extend({ replaces: ApiKeyId, graceEndsAt: IsoTimestamp });
export type RotatedApiKey = z.infer<typeof RotatedApiKey>;

export const StatusChangeBody = z.object({ reason: StatusReason }).strict();
export type StatusChangeBody = z.infer<typeof StatusChangeBody>;

export const ChangePlanBody = z.object({ plan: Plan }).strict();
export type ChangePlanBody = z.infer<typeof ChangePlanBody>;

/** Both windows named: a null returns the window to the plan's quota, so a PUT always says the whole setting. */
const QuotaValue = z.number().int().min(0).max(1_000_000_000).nullable();
export const ChangeQuotasBody = z.object({ daily: QuotaValue, monthly: QuotaValue }).strict();
export type ChangeQuotasBody = z.infer<typeof ChangeQuotasBody>;

/** What the operator's quota change answers: the override and the plan's quotas it replaces. */
export const CustomerQuotasResponse = z.object({
  id: CustomerId,
  plan: Plan,
  override: z.object({ daily: QuotaValue, monthly: QuotaValue }),
  planQuotas: z.object({ daily: QuotaValue, monthly: QuotaValue }),
});
export type CustomerQuotasResponse = z.infer<typeof CustomerQuotasResponse>;

/** What an operator's status or plan change answers: the customer's state right after it. */
export const CustomerStatusResponse = z.object({ id: CustomerId, status: z.enum(['active', 'suspended', 'cancelled']), plan: Plan });
export type CustomerStatusResponse = z.infer<typeof CustomerStatusResponse>;

export const ApiKeyList = z.object({ items: z.array(ApiKeySummary) });

/** A service looks customers up by email: normalised as every email is, so any spelling finds it. */
export const ServiceCustomersQuery = z.object({ email: Email.transform(normaliseEmail) }).strict();
export type ServiceCustomersQuery = z.infer<typeof ServiceCustomersQuery>;

/** Several when the operator registered more than one customer for one contact email; signup never does. */
export const ServiceCustomerList = z.object({ items: z.array(CustomerView) });
