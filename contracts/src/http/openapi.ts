import { z } from 'zod';
import { AuditEntryDocument, UsageCounters } from '../read-models/documents';
import { GRANULARITIES } from '../read-models/time-buckets';
import {
  ApiKeyList,
  ChangePlanBody,
  ChangeQuotasBody,
  CustomerQuotasResponse,
  CustomerStatusResponse,
  RotateApiKeyBody,
  RotatedApiKey,
  StatusChangeBody,
  CustomerRegisteredResponse,
  CustomerView,
  IssuedApiKey,
  IssueApiKeyBody,
  OtpRequestAccepted,
  RegisterCustomerBody,
  RequestOtpBody,
  TokenResponse,
  VerifyOtpBody,
  IntrospectionResponse,
  IntrospectTokenBody,
  RefreshTokenBody,
  RevokeTokenBody,
  UpdateCustomerBody,
  UpdateProfileBody,
  UserProfile,
  ServiceCustomerList,
  SignupBody,
  VerifySignupBody,
  AddDomainBody,
  DomainList,
} from './bodies';
import { TenantConfigBody, TenantConfigPatchBody, TenantConfigView } from './config-bodies';
import { DomainSummary } from '../read-models/documents';
import { CheckpointResponse, HistoryLine, VerifyResponse } from './audit-history';
import { Problem } from './problem';
import { RotatedSigningKey, RotateSigningKeyBody } from './signing-key-bodies';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: z.ZodType) => ({ content: { 'application/json': { schema: schema(s) } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const auth = (scheme: 'apiKey' | 'operator' | 'accessToken' | 'serviceKey') => [{ [scheme]: [] }];
const common = {
  '400': problem('invalid input (malformed JSON, wrong types, unknown fields)'),
  '401': problem('missing or invalid credential'),
  '413': problem('body too large'),
  '415': problem('body is not JSON'),
};

const UsageResponse = z.object({ granularity: z.enum(GRANULARITIES), buckets: z.array(UsageCounters.extend({ start: z.string() })) });
const AnalyticsSummary = z.object({
  from: z.string(),
  to: z.string(),
  totals: UsageCounters.omit({ uniqueUsers: true }),
  verifySuccessRate: z.number().nullable(),
  timeToVerify: z.object({ count: z.number().int(), medianMs: z.number().nullable(), p95Ms: z.number().nullable() }),
  failureReasons: z.record(z.string(), z.number().int()),
});
const AuditPage = z.object({ items: z.array(AuditEntryDocument.omit({ _id: true })), nextCursor: z.string().nullable() });
const CustomerPage = z.object({ items: z.array(CustomerView), nextCursor: z.string().nullable() });
const idParam = (description: string) => [{ name: 'id', in: 'path', required: true, schema: { type: 'string' }, description }];
const statusChange = (summary: string, refused: Record<string, ReturnType<typeof problem>> = {}) => ({
  post: {
    summary,
    security: auth('operator'),
    parameters: idParam('cus_...'),
    requestBody: json(StatusChangeBody),
    responses: {
      '200': { description: 'the status after; asking for the status the customer has records nothing', ...json(CustomerStatusResponse) },
      '404': problem('no such customer'),
      ...refused,
      ...common,
    },
  },
});
const query = (name: string, required: boolean, description: string) => ({
  name,
  in: 'query',
  required,
  schema: { type: 'string' },
  description,
});

const configWrite = (summary: string, body: z.ZodType) => ({
  summary: `${summary}; If-Match: "<version>" makes it conditional`,
  security: auth('apiKey'),
  parameters: [{ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'the ETag read, e.g. "3"' }],
  requestBody: json(body),
  responses: {
    '200': { description: 'the config after (ETag: its version)', ...json(TenantConfigView) },
    '403': problem('key lacks customer:admin'),
    '412': problem('If-Match names a version that is no longer current; nothing changed; ETag: the current version'),
    ...common,
    '400': problem('invalid input, a malformed If-Match, a template with an unknown variable or a text/html template without {{otp}}'),
  },
});

/** The OpenAPI 3.1 document, generated from the same zod schemas the server validates with. */
export function openApiDocument(serverUrl?: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'OTP Auth',
      version: '0.1.0',
      description: 'Event-sourced, multi-tenant, passwordless (email one-time code) authentication.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            "Tenant API key: secret (ok_...) from a server, or publishable (pk_...) from a page at one of the tenant's cors.allowedOrigins, for /v1/otp/request and /v1/otp/verify only. From a browser, any key is refused (403 origin-not-allowed) unless its Origin is allowed. A CORS preflight names the tenant with ?customer=cus_...",
        },
        operator: { type: 'http', scheme: 'bearer', description: 'Operator token' },
        accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "The end user's access token (RFC 9068)" },
        serviceKey: { type: 'apiKey', in: 'header', name: 'X-Service-Key', description: "The deployment's SERVICE_KEY; unset refuses all" },
      },
      schemas: { Problem: schema(Problem) },
    },
    paths: {
      '/v1/admin/customers': {
        get: {
          summary: 'Customers in id order, a page at a time',
          security: auth('operator'),
          parameters: [
            query('status', false, 'active | suspended | cancelled'),
            query('email', false, 'exactly as registered'),
            query('cursor', false, 'nextCursor of the previous page'),
            query('limit', false, '1 to 200, default 50'),
          ],
          responses: { '200': { description: 'a page', ...json(CustomerPage) }, ...common },
        },
        post: {
          summary: 'Register a customer and its first API key',
          security: auth('operator'),
          requestBody: json(RegisterCustomerBody),
          responses: { '201': { description: 'registered; the key is shown only here', ...json(CustomerRegisteredResponse) }, ...common },
        },
      },
      '/v1/admin/customers/{id}': {
        get: {
          summary: 'A customer',
          security: auth('operator'),
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            query('asOf', false, 'UTC timestamp: the customer as it was then, folded from its events'),
          ],
          responses: {
            '200': { description: 'the customer', ...json(CustomerView) },
            '404': problem('no such customer (at asOf: not registered yet)'),
            ...common,
          },
        },
      },
      '/v1/admin/signing-keys/rotate': {
        post: {
          summary:
            'Rotate the signing key: the published next key signs from the next token on; the retired one stays in the JWKS until its last token expires',
          security: auth('operator'),
          requestBody: json(RotateSigningKeyBody),
          responses: { '200': { description: 'the kids after the rotation', ...json(RotatedSigningKey) }, ...common },
        },
      },
      '/v1/admin/projections/{name}/rebuild': {
        post: {
          summary:
            'Rebuild one read model (customers, usage, audit) beside the live one and swap it in while serving (the embedded server, or the projection-service holding the lease; `npm run rebuild` calls it)',
          security: auth('operator'),
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', enum: ['customers', 'usage', 'audit'] } }],
          responses: {
            '200': {
              description:
                'NDJSON progress, a line a second: {projection, phase: building|swapping|done|failed, position, eventsProjected, elapsedMs}; the last line says done or failed',
              content: { 'application/x-ndjson': { schema: { type: 'string' } } },
            },
            '404': problem('no such projection'),
            '409': problem('that projection is already being rebuilt'),
            '503': problem('a standby projection-service (not-lease-holder): send it to the instance holding the lease'),
            ...common,
          },
        },
      },
      '/v1/admin/customers/{id}/suspend': statusChange('Suspend a customer: its keys get 403 from the next request on'),
      '/v1/admin/customers/{id}/activate': statusChange('Activate a suspended customer', { '409': problem('the customer is cancelled') }),
      '/v1/admin/customers/{id}/cancel': statusChange('Cancel a customer for good: its keys get 403'),
      '/v1/admin/customers/{id}/quotas': {
        put: {
          summary:
            "Set a customer's daily and monthly OTP quotas above (or below) its plan's; null is the plan's. The tenant's config may only lower them",
          security: auth('operator'),
          parameters: idParam('cus_...'),
          requestBody: json(ChangeQuotasBody),
          responses: {
            '200': { description: "the operator's quotas and the plan's", ...json(CustomerQuotasResponse) },
            '404': problem('no such customer'),
            '409': problem('the customer is cancelled'),
            ...common,
          },
        },
      },
      '/v1/admin/customers/{id}/plan': {
        put: {
          summary: "Change a customer's plan",
          security: auth('operator'),
          parameters: idParam('cus_...'),
          requestBody: json(ChangePlanBody),
          responses: {
            '200': { description: 'the plan after', ...json(CustomerStatusResponse) },
            '404': problem('no such customer'),
            '409': problem('the customer is cancelled'),
            ...common,
          },
        },
      },
      '/v1/customer/api-keys': {
        get: {
          summary: "The customer's keys: prefix, name, scopes, status, grace end, last use (to the minute); never a secret",
          security: auth('apiKey'),
          responses: { '200': { description: 'the keys', ...json(ApiKeyList) }, '403': problem('key lacks customer:admin'), ...common },
        },
        post: {
          summary:
            'Issue another API key: secret with a name and chosen scopes, or publishable (kind: publishable, otp:write alone) for web pages',
          security: auth('apiKey'),
          requestBody: json(IssueApiKeyBody),
          responses: {
            '201': { description: 'issued; the key is shown only here', ...json(IssuedApiKey) },
            '403': problem('key lacks customer:admin, or the customer is suspended'),
            '409': problem('too many keys'),
            ...common,
          },
        },
      },
      '/v1/customer/api-keys/{id}/rotate': {
        post: {
          summary: 'Replace a key: the new one is shown once, the old one works until graceEndsAt (default 7 days, 0 allowed)',
          security: auth('apiKey'),
          parameters: idParam('key_...'),
          requestBody: json(RotateApiKeyBody),
          responses: {
            '201': { description: 'the new key, shown only here', ...json(RotatedApiKey) },
            '403': problem('key lacks customer:admin'),
            '404': problem('no such key'),
            '409': problem('the key is already rotated or revoked'),
            ...common,
          },
        },
      },
      '/v1/customer/api-keys/{id}': {
        delete: {
          summary: 'Revoke a key at once',
          security: auth('apiKey'),
          parameters: idParam('key_...'),
          responses: {
            '204': { description: 'revoked (or already was)' },
            '403': problem('key lacks customer:admin'),
            '404': problem('no such key'),
            '409': problem('the last active key with customer:admin'),
            ...common,
          },
        },
      },
      '/v1/customer/domains': {
        get: {
          summary: 'The sending domains with their status and the TXT record that proves each',
          security: auth('apiKey'),
          responses: { '200': { description: 'the domains', ...json(DomainList) }, '403': problem('key lacks customer:admin'), ...common },
        },
        post: {
          summary: 'Claim a sending domain: answers the TXT record to publish (_otp-auth.<domain>)',
          security: auth('apiKey'),
          requestBody: json(AddDomainBody),
          responses: {
            '201': { description: 'claimed; publish the record, then verify', ...json(DomainSummary) },
            '200': { description: 'already claimed: the same record', ...json(DomainSummary) },
            '403': problem('key lacks customer:admin'),
            '409': problem('too many domains'),
            ...common,
          },
        },
      },
      '/v1/customer/domains/{domain}/verify': {
        post: {
          summary: "Look the domain's TXT record up through DNS; once found, the domain may appear in email.from",
          security: auth('apiKey'),
          parameters: [{ name: 'domain', in: 'path', required: true, schema: { type: 'string' }, description: 'e.g. mail.example.com' }],
          responses: {
            '200': { description: 'verified (or already was)', ...json(DomainSummary) },
            '403': problem('key lacks customer:admin'),
            '404': problem('the domain was never added'),
            '422': problem('DNS does not hold the expected record (domain-not-verified; the detail names it)'),
            '503': problem('the DNS lookup did not answer'),
            ...common,
          },
        },
      },
      '/v1/customer': {
        get: {
          summary: "The API key's own customer",
          security: auth('apiKey'),
          parameters: [query('asOf', false, 'UTC timestamp: the customer as it was then, folded from its events')],
          responses: {
            '200': { description: 'the customer', ...json(CustomerView) },
            '404': problem('asOf is before the registration'),
            ...common,
          },
        },
        patch: {
          summary: 'Change the account name, company name or contact email (customer:admin)',
          security: auth('apiKey'),
          requestBody: json(UpdateCustomerBody),
          responses: {
            '204': { description: 'recorded; X-Event-Position, for GET /v1/customer with X-Min-Position' },
            '403': problem('key lacks customer:admin, or the customer is suspended'),
            ...common,
          },
        },
      },
      '/v1/customer/config': {
        get: {
          summary: 'The config (ETag: its version); ?version=N an earlier version, ?asOf=<timestamp> the version in force then',
          security: auth('apiKey'),
          parameters: [
            query('version', false, 'an earlier version (0: the defaults)'),
            query('asOf', false, 'an ISO 8601 timestamp: the version in force then'),
          ],
          responses: {
            '200': { description: 'the config; a provider key shows only as apiKeySet', ...json(TenantConfigView) },
            '403': problem('key lacks customer:admin'),
            '404': problem('no such version'),
            ...common,
          },
        },
        put: configWrite('Replace the whole config: a new version, unless it changes nothing', TenantConfigBody),
        patch: configWrite(
          'Change some fields (omitted ones keep their value, arrays are replaced whole): a new version',
          TenantConfigPatchBody,
        ),
      },
      '/v1/api-keys': {
        post: {
          summary: 'Moved to POST /v1/customer/api-keys',
          deprecated: true,
          responses: { '308': { description: 'Location: /v1/customer/api-keys; the method and body are kept' } },
        },
      },
      '/v1/signup': {
        post: {
          summary: 'Sign up: email a code that creates the account',
          requestBody: json(SignupBody),
          responses: {
            '202': { description: 'same answer whether or not the email has an account', ...json(OtpRequestAccepted) },
            '429': problem('too many codes for this email this hour, or from this client network: ask again after Retry-After seconds'),
            '503': problem('email delivery failed'),
            ...common,
          },
        },
      },
      '/v1/signup/verify': {
        post: {
          summary: 'Verify the signup code: the customer and its first key (customer:admin), shown once',
          requestBody: json(VerifySignupBody),
          responses: {
            '201': { description: 'registered; the key is shown only here', ...json(CustomerRegisteredResponse) },
            '401': problem('wrong, used or expired code, or none asked for: one answer'),
            '409': problem('this email already has an account (only a right code learns it)'),
            '429': problem(
              'too many wrong codes for this email or from this address, or verifications from this network: wait Retry-After seconds',
            ),
            '400': common['400'],
            '413': common['413'],
            '415': common['415'],
          },
        },
      },
      '/v1/service/customers': {
        get: {
          summary: "The customers of an email (any spelling), for the deployment's other services",
          security: auth('serviceKey'),
          parameters: [query('email', true, 'normalised as stored: trimmed, lower-cased')],
          responses: { '200': { description: 'the matches, empty when none', ...json(ServiceCustomerList) }, ...common },
        },
      },
      '/v1/service/customers/{id}': {
        get: {
          summary: "A customer, for the deployment's other services",
          security: auth('serviceKey'),
          parameters: idParam('cus_...'),
          responses: { '200': { description: 'the customer', ...json(CustomerView) }, '404': problem('no such customer'), ...common },
        },
      },
      '/v1/otp/request': {
        post: {
          summary: 'Email a one-time code',
          security: auth('apiKey'),
          requestBody: json(RequestOtpBody),
          responses: {
            '202': { description: 'same answer whether or not the email is known', ...json(OtpRequestAccepted) },
            '403': problem(
              "key lacks otp:write, a browser key from an origin the tenant does not allow (origin-not-allowed), or the address is outside the tenant's IP allowlist (ip-not-allowed)",
            ),
            '429': problem(
              'too many codes for this email, the daily or monthly OTP quota used up (quota-exceeded, until the UTC day or month resets), or a request rate (rate-limited); Retry-After and RateLimit-Limit/Remaining/Reset say when. An accepted request carries the quota in RateLimit-*',
            ),
            '503': problem('email delivery failed'),
            ...common,
          },
        },
      },
      '/v1/otp/verify': {
        post: {
          summary: 'Verify a code and receive tokens',
          security: auth('apiKey'),
          requestBody: json(VerifyOtpBody),
          responses: {
            '200': { description: 'tokens', ...json(TokenResponse) },
            '401': problem('wrong, used or expired code (attemptsRemaining)'),
            '429': problem('too many wrong codes: locked'),
            '403': problem('key lacks otp:write, or a browser key from an origin the tenant does not allow'),
          },
        },
      },
      '/v1/tokens/refresh': {
        post: {
          summary: 'Exchange the current refresh token for a new pair; a retired one revokes the session',
          security: auth('apiKey'),
          requestBody: json(RefreshTokenBody),
          responses: {
            '200': { description: 'a new pair; the presented refresh token is retired', ...json(TokenResponse) },
            '403': problem('key lacks otp:write'),
            ...common,
            '401': problem('missing or invalid API key, or an unknown, expired, revoked or reused refresh token (invalid-token)'),
          },
        },
      },
      '/v1/tokens/revoke': {
        post: {
          summary: 'Logout (RFC 7009): end the session of a refresh or access token',
          security: auth('apiKey'),
          requestBody: json(RevokeTokenBody),
          responses: {
            '200': { description: 'revoked, already revoked, or never known: the same answer' },
            '403': problem('key lacks otp:write'),
            ...common,
          },
        },
      },
      '/v1/tokens/introspect': {
        post: {
          summary: "Introspect (RFC 7662) one of the calling tenant's tokens",
          security: auth('apiKey'),
          requestBody: json(IntrospectTokenBody),
          responses: {
            '200': { description: "the token's claims, or {active: false}", ...json(IntrospectionResponse) },
            '403': problem('key lacks otp:write'),
            ...common,
          },
        },
      },
      '/v1/users/me': {
        get: {
          summary: "The end user's own profile",
          security: auth('accessToken'),
          responses: {
            '200': { description: 'the user', ...json(UserProfile) },
            '401': problem('invalid, expired or revoked access token'),
          },
        },
        patch: {
          summary: "Change the end user's name or metadata",
          security: auth('accessToken'),
          requestBody: json(UpdateProfileBody),
          responses: { '200': { description: 'the user after the change', ...json(UserProfile) }, ...common },
        },
      },
      '/v1/usage': {
        get: {
          summary: 'Usage counters per bucket',
          security: auth('apiKey'),
          parameters: [
            query('from', true, 'ISO date or UTC timestamp'),
            query('to', true, 'exclusive; every bucket that overlaps [from, to) is returned, counted whole'),
            query('granularity', false, 'hour | day | month (UTC), default day'),
          ],
          responses: {
            '200': { description: 'every bucket of the range, in order, zeros included', ...json(UsageResponse) },
            '403': problem('key lacks analytics:read'),
            ...common,
            '400': problem('a bad date, a reversed range or one over 400 days (the problem names the parameter)'),
          },
        },
      },
      '/v1/analytics/summary': {
        get: {
          summary: 'Totals, verify success rate, time to verify and failure reasons over the UTC days of a range',
          security: auth('apiKey'),
          parameters: [query('from', true, 'ISO date or UTC timestamp'), query('to', true, 'exclusive; whole UTC days, at most 400')],
          responses: {
            '200': {
              description: 'the summary; time to verify from a histogram, at most 4.5% over the exact value',
              ...json(AnalyticsSummary),
            },
            '403': problem('key lacks analytics:read'),
            ...common,
          },
        },
      },
      '/v1/audit': {
        get: {
          summary: "The tenant's audit entries by time, numbered by the tenant's own sequence",
          security: auth('apiKey'),
          parameters: [
            query('from', false, 'ISO date or UTC timestamp'),
            query('to', false, 'exclusive'),
            query('type', false, 'event type, exactly'),
            query('actor', false, 'apiKey:<id> | user:<id> | operator | system, exactly'),
            query('cursor', false, 'nextCursor of the previous page (opaque)'),
            query('limit', false, '1 to 1000, default 100'),
            query('order', false, 'asc (oldest first, default) | desc'),
          ],
          responses: { '200': { description: 'a page', ...json(AuditPage) }, '403': problem('key lacks audit:read'), ...common },
        },
      },
      '/v1/audit/events': {
        get: {
          summary: "The tenant's raw events as NDJSON, in commit order, with the hash chain and the tenant's own sequence number",
          security: auth('apiKey'),
          parameters: [
            query('after', false, "the tenant's sequence number to start after (default 0)"),
            query('until', false, 'the last sequence number, inclusive'),
            query('stream', false, 'only the events of this stream'),
          ],
          responses: {
            '200': {
              description: 'one HistoryLine per line; streamed with backpressure',
              content: { 'application/x-ndjson': { schema: schema(HistoryLine) } },
            },
            '403': problem('key lacks audit:read'),
            ...common,
          },
        },
      },
      '/v1/audit/checkpoint': {
        get: {
          summary: "A checkpoint of the tenant's running hash, signed (compact JWS, typ audit-checkpoint+jwt) with the service's key",
          security: auth('apiKey'),
          responses: {
            '200': { description: 'the JWS and its claims', ...json(CheckpointResponse) },
            '403': problem('key lacks audit:read'),
            ...common,
          },
        },
      },
      '/v1/audit/verify': {
        get: {
          summary: 'Re-computes every stream chain and the running hash; with `since`, whether the history extends that checkpoint',
          security: auth('apiKey'),
          parameters: [query('since', false, 'a checkpoint JWS from /v1/audit/checkpoint, of this tenant')],
          responses: {
            '200': { description: 'the verdict', ...json(VerifyResponse) },
            '400': problem('a `since` that is not a checkpoint of this tenant signed by this service'),
            '403': problem('key lacks audit:read'),
            '429': problem('a verification of this tenant is running (one at a time); Retry-After says when to ask again'),
            '401': common['401'],
          },
        },
      },
      '/.well-known/jwks.json': { get: { summary: 'Public keys that sign access tokens', responses: { '200': { description: 'JWKS' } } } },
      '/health/live': { get: { summary: 'Process is up', responses: { '200': { description: 'ok' } } } },
      '/health/ready': {
        get: {
          summary: 'Dependencies answer',
          responses: {
            '200': { description: 'ready (status ok), or serving with stalled read models (status degraded)' },
            '503': problem('a dependency is not ready'),
          },
        },
      },
      '/metrics': { get: { summary: 'Prometheus metrics', responses: { '200': { description: 'text exposition format' } } } },
    },
  };
}
