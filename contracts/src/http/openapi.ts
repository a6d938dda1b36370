import { z } from 'zod';
import { AuditEntryDocument, UsageCounters } from '../read-models/documents';
import {
  ApiKeyList,
  ChangePlanBody,
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
  UpdateProfileBody,
  UserProfile,
} from './bodies';
import { Problem } from './problem';
import { RotatedSigningKey, RotateSigningKeyBody } from './signing-key-bodies';

const schema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
const json = (s: z.ZodType) => ({ content: { 'application/json': { schema: schema(s) } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const auth = (scheme: 'apiKey' | 'operator' | 'accessToken') => [{ [scheme]: [] }];
const common = {
  '400': problem('invalid input (malformed JSON, wrong types, unknown fields)'),
  '401': problem('missing or invalid credential'),
  '413': problem('body too large'),
  '415': problem('body is not JSON'),
};

const UsageResponse = z.object({ granularity: z.enum(['hour', 'day']), buckets: z.array(UsageCounters.extend({ start: z.string() })) });
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
        apiKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key (ok_...)' },
        operator: { type: 'http', scheme: 'bearer', description: 'Operator token' },
        accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "The end user's access token (RFC 9068)" },
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
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'the customer', ...json(CustomerView) }, '404': problem('no such customer'), ...common },
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
            'Rebuild one read model (customers, usage, audit) beside the live one and swap it in while serving (embedded server; `npm run rebuild` calls it)',
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
            ...common,
          },
        },
      },
      '/v1/admin/customers/{id}/suspend': statusChange('Suspend a customer: its keys get 403 from the next request on'),
      '/v1/admin/customers/{id}/activate': statusChange('Activate a suspended customer', { '409': problem('the customer is cancelled') }),
      '/v1/admin/customers/{id}/cancel': statusChange('Cancel a customer for good: its keys get 403'),
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
          summary: 'Issue another API key with a name and chosen scopes',
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
      '/v1/customer': {
        get: {
          summary: "The API key's own customer",
          security: auth('apiKey'),
          responses: { '200': { description: 'the customer', ...json(CustomerView) }, ...common },
        },
      },
      '/v1/api-keys': {
        post: {
          summary: 'Moved to POST /v1/customer/api-keys',
          deprecated: true,
          responses: { '308': { description: 'Location: /v1/customer/api-keys; the method and body are kept' } },
        },
      },
      '/v1/otp/request': {
        post: {
          summary: 'Email a one-time code',
          security: auth('apiKey'),
          requestBody: json(RequestOtpBody),
          responses: {
            '202': { description: 'same answer whether or not the email is known', ...json(OtpRequestAccepted) },
            '403': problem('key lacks otp:write'),
            '429': problem('the last code for this email was locked by wrong guesses: ask again after Retry-After seconds'),
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
            '403': problem('key lacks otp:write'),
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
            query('granularity', false, 'hour | day'),
          ],
          responses: { '200': { description: 'buckets', ...json(UsageResponse) }, '403': problem('key lacks analytics:read'), ...common },
        },
      },
      '/v1/audit': {
        get: {
          summary: 'Audit entries in event order',
          security: auth('apiKey'),
          parameters: [
            query('from', false, 'ISO date or UTC timestamp'),
            query('to', false, 'exclusive'),
            query('cursor', false, 'nextCursor of the previous page'),
            query('limit', false, '1 to 1000, default 100'),
          ],
          responses: { '200': { description: 'a page', ...json(AuditPage) }, '403': problem('key lacks audit:read'), ...common },
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
