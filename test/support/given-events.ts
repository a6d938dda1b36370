import { randomUUID } from 'node:crypto';
import {
  currentSchemaVersion,
  DEFAULT_TENANT_CONFIG,
  EventMetadata,
  eventSchemas,
  formatApiKey,
  streams,
  type Actor,
  type EventOf,
  type EventType,
  type Plan,
  type Scope,
  type TenantConfig,
} from '@otp/contracts';
import { DEFAULT_SCOPES } from '@otp/command-service';
import { randomHex, randomToken } from '@otp/platform/crypto';
import { normaliseEmail } from '../../command-service/src/users/emails';
import { emailKeyFor, signupCustomerIdFor, signupEmailKeyFor, storedApiKeyHash, storedCodeHash } from './spec-secrets';

/** An event as the write side would have appended it: schema-valid data and metadata; the store seals it. */
export interface GivenEvent {
  streamName: string;
  type: EventType;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface SpecApiKey {
  id: string;
  prefix: string;
  /** The whole key, as its holder presents it; only its keyed hash is in the events. */
  key: string;
  scopes: Scope[];
  /** Set for a publishable key; absent, the key is secret (as keys issued before kinds existed). */
  kind?: 'publishable';
}

export interface SpecTenant {
  id: string;
  name: string;
  email: string;
  plan: Plan;
  /** The key registration issued, with every scope. */
  key: SpecApiKey;
}

export interface SpecChallenge {
  tenant: SpecTenant;
  id: string;
  /** As the caller typed it; the events hold its normalised form. */
  email: string;
  code: string;
  requestedAt: Date;
}

/** A key in the format the server issues, `ok_live_<customer>_<key>_<secret>_<checksum>`, for `tenantId`; registration's scopes by default. */
export function specApiKey(tenantId: string, scopes: Scope[] = [...DEFAULT_SCOPES]): SpecApiKey {
  const { keyId, prefix, key } = formatApiKey(tenantId, randomHex(6), randomToken(32));
  return { id: keyId, prefix, key, scopes };
}

/** A key as issued before the checksum, `ok_<customer>_<key>_<secret>`: such keys keep working. */
export function specLegacyApiKey(tenantId: string, scopes: Scope[] = [...DEFAULT_SCOPES]): SpecApiKey {
  const keyHex = randomHex(6);
  const prefix = `ok_${tenantId.slice(4)}_${keyHex}`;
  return { id: `key_${keyHex}`, prefix, key: `${prefix}_${randomToken(32)}`, scopes };
}

/**
 * The key with another secret: its format, prefix and checksum are right, so only the hash comparison
 * refuses it (the checksum is recomputed, as a forger would).
 */
export function withWrongSecret(key: SpecApiKey): string {
  if (!key.key.startsWith('ok_live_')) return `${key.key.slice(0, -4)}${key.key.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  const secret = key.key.slice(key.prefix.length + 1, -7);
  const other = `${secret.slice(0, -4)}${secret.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
  const customerId = `cus_${key.prefix.slice(8, 24)}`;
  return formatApiKey(customerId, key.id.slice(4), other).key;
}

/** A tenant of its own per case: cases sharing one app never see each other's streams or read models. */
export function specTenant(name = 'Acme', plan: Plan = 'pro'): SpecTenant {
  const id = `cus_${randomHex(8)}`;
  return { id, name, email: `ops@${name.toLowerCase()}.test`, plan, key: specApiKey(id) };
}

/** A code sent to `email` at `at`, or `minutesAgo` before now (a code lives ten minutes). */
export function specChallenge(
  tenant: SpecTenant,
  email: string,
  options: { code?: string; minutesAgo?: number; at?: Date } = {},
): SpecChallenge {
  const requestedAt = options.at ?? new Date(Date.now() - (options.minutesAgo ?? 0) * 60_000);
  return { tenant, id: `chl_${randomHex(8)}`, email, code: options.code ?? '123456789', requestedAt };
}

export const specUserId = (): string => `usr_${randomHex(8)}`;

function given<T extends EventType>(
  streamName: string,
  type: T,
  data: EventOf<T>['data'],
  meta: { tenantId: string; actor: Actor; at: Date },
): GivenEvent {
  const requestId = randomUUID();
  const metadata = EventMetadata.parse({
    // As the write side stamps it: the version of the shape `data` has.
    schemaVersion: currentSchemaVersion[type],
    occurredAt: meta.at.toISOString(),
    tenantId: meta.tenantId,
    actor: meta.actor,
    correlationId: requestId,
    causationId: requestId,
    requestId,
    clientIp: '203.0.113.9',
    userAgent: 'route-spec/1.0',
  });
  // Parsed strictly here, so a given that the store would refuse at replay fails where it is written.
  return { streamName, type, data: eventSchemas[type].parse(data), metadata };
}

const byKey = (tenant: SpecTenant): Actor => `apiKey:${tenant.key.id}`;
const otpStream = (c: SpecChallenge) => streams.otp(c.tenant.id, emailKeyFor(c.tenant.id, c.email));

/** What registering a customer records: the customer and its first key, with every scope. */
export function customerRegistered(tenant: SpecTenant, at = new Date()): GivenEvent[] {
  const meta = { tenantId: tenant.id, actor: 'operator' as const, at };
  const { id: customerId, name, email, plan } = tenant;
  return [
    given(streams.customer(customerId), 'CustomerRegistered', { customerId, name, email, plan, registeredAt: at.toISOString() }, meta),
    apiKeyIssued(tenant, tenant.key, at, 'operator'),
  ];
}

export function apiKeyIssued(tenant: SpecTenant, key: SpecApiKey, at = new Date(), actor: Actor = byKey(tenant)): GivenEvent {
  const data = {
    customerId: tenant.id,
    keyId: key.id,
    prefix: key.prefix,
    keyHash: storedApiKeyHash(key.key),
    scopes: key.scopes,
    issuedAt: at.toISOString(),
    kind: key.kind ?? ('secret' as const),
  };
  return given(streams.customer(tenant.id), 'ApiKeyIssued', data, { tenantId: tenant.id, actor, at });
}

export function otpRequested(c: SpecChallenge): GivenEvent {
  const data = {
    challengeId: c.id,
    customerId: c.tenant.id,
    emailKey: emailKeyFor(c.tenant.id, c.email),
    email: normaliseEmail(c.email),
    codeHash: storedCodeHash(c.id, c.code),
    codeLength: c.code.length,
    requestedAt: c.requestedAt.toISOString(),
    expiresAt: new Date(c.requestedAt.getTime() + 10 * 60_000).toISOString(),
    maxAttempts: 5,
  };
  return given(otpStream(c), 'OtpRequested', data, { tenantId: c.tenant.id, actor: byKey(c.tenant), at: c.requestedAt });
}

/** `count` wrong codes after the request; the fifth also locks the challenge, as the decider records it. */
export function wrongCodesTried(c: SpecChallenge, count: number): GivenEvent[] {
  const meta = { tenantId: c.tenant.id, actor: byKey(c.tenant), at: c.requestedAt };
  const events: GivenEvent[] = [];
  for (let i = 1; i <= count; i++) {
    events.push(
      given(
        otpStream(c),
        'OtpVerificationFailed',
        { challengeId: c.id, reason: 'wrong_code', attemptsRemaining: Math.max(0, 5 - i), failedAt: c.requestedAt.toISOString() },
        meta,
      ),
    );
    if (i === 5) events.push(given(otpStream(c), 'OtpChallengeLocked', { challengeId: c.id }, meta));
  }
  return events;
}

/** The code of `c` handed to the provider at `at`, as the write side records each send. */
export const emailSent = (c: SpecChallenge, at = c.requestedAt): GivenEvent =>
  given(
    otpStream(c),
    'EmailSent',
    { customerId: c.tenant.id, challengeId: c.id, purpose: 'otp', provider: 'smtp', sentAt: at.toISOString() },
    { tenantId: c.tenant.id, actor: byKey(c.tenant), at },
  );

/** A code request for the email of `c` refused by the per-email limit at `at`: recorded once per window. */
export const otpRateLimited = (c: SpecChallenge, at: Date): GivenEvent =>
  given(
    otpStream(c),
    'OtpRateLimitExceeded',
    { limit: 'perEmailPerHour', max: 3, retryAt: new Date(at.getTime() + 3_600_000).toISOString() },
    { tenantId: c.tenant.id, actor: byKey(c.tenant), at },
  );

/** A verified code and what follows it on the user's and the session's streams: one login, `at` the request time unless given. */
export function loggedIn(c: SpecChallenge, userId: string, options: { newUser?: boolean; at?: Date } = {}): GivenEvent[] {
  const meta = { tenantId: c.tenant.id, actor: byKey(c.tenant), at: options.at ?? c.requestedAt };
  const at = meta.at.toISOString();
  const newUser = options.newUser ?? true;
  const sessionId = `ses_${randomHex(8)}`;
  const user = streams.user(c.tenant.id, userId);
  return [
    given(otpStream(c), 'OtpVerified', { challengeId: c.id, userId, newUser, verifiedAt: at }, meta),
    ...(newUser
      ? [
          given(
            user,
            'UserCreated',
            { userId, customerId: c.tenant.id, email: normaliseEmail(c.email), emailKey: emailKeyFor(c.tenant.id, c.email), createdAt: at },
            meta,
          ),
        ]
      : []),
    given(user, 'UserLoggedIn', { userId, sessionId, challengeId: c.id, loggedInAt: at }, meta),
    given(
      streams.session(sessionId),
      'SessionStarted',
      {
        sessionId,
        userId,
        customerId: c.tenant.id,
        refreshTokenHash: 'not-a-token-any-spec-presents',
        startedAt: at,
        expiresAt: new Date(meta.at.getTime() + 30 * 86_400_000).toISOString(),
      },
      meta,
    ),
  ];
}

const onCustomer = <T extends EventType>(tenant: SpecTenant, type: T, data: EventOf<T>['data'], at: Date, actor: Actor): GivenEvent =>
  given(streams.customer(tenant.id), type, data, { tenantId: tenant.id, actor, at });

/** `old` rotated into `heir` at `at`, the old key valid `graceSeconds` longer. */
export function apiKeyRotated(tenant: SpecTenant, old: SpecApiKey, heir: SpecApiKey, graceSeconds: number, at = new Date()): GivenEvent {
  const data = {
    customerId: tenant.id,
    keyId: old.id,
    newKeyId: heir.id,
    prefix: heir.prefix,
    keyHash: storedApiKeyHash(heir.key),
    scopes: old.scopes,
    ...(old.kind ? { kind: old.kind } : {}),
    rotatedAt: at.toISOString(),
    graceEndsAt: new Date(at.getTime() + graceSeconds * 1000).toISOString(),
  };
  return onCustomer(tenant, 'ApiKeyRotated', data, at, byKey(tenant));
}

export const apiKeyRevoked = (tenant: SpecTenant, key: SpecApiKey, at = new Date()): GivenEvent =>
  onCustomer(tenant, 'ApiKeyRevoked', { customerId: tenant.id, keyId: key.id, revokedAt: at.toISOString() }, at, byKey(tenant));

export const customerSuspended = (tenant: SpecTenant, reason = 'unpaid invoice', at = new Date()): GivenEvent =>
  onCustomer(tenant, 'CustomerSuspended', { customerId: tenant.id, reason, suspendedAt: at.toISOString() }, at, 'operator');

export const customerCancelled = (tenant: SpecTenant, reason = 'closed the account', at = new Date()): GivenEvent =>
  onCustomer(tenant, 'CustomerCancelled', { customerId: tenant.id, reason, cancelledAt: at.toISOString() }, at, 'operator');

export const customerActivated = (tenant: SpecTenant, reason = 'paid', at = new Date()): GivenEvent =>
  onCustomer(tenant, 'CustomerActivated', { customerId: tenant.id, reason, activatedAt: at.toISOString() }, at, 'operator');

/** The operator moved the tenant from its plan to `plan`. */
export const planChanged = (tenant: SpecTenant, plan: Plan, at = new Date()): GivenEvent =>
  onCustomer(
    tenant,
    'CustomerPlanChanged',
    { customerId: tenant.id, plan, previousPlan: tenant.plan, changedAt: at.toISOString() },
    at,
    'operator',
  );

/** The tenant changed the account details in `change` (PATCH /v1/customer). */
export const profileChanged = (
  tenant: SpecTenant,
  change: { name?: string; companyName?: string; contactEmail?: string },
  at = new Date(),
): GivenEvent =>
  onCustomer(tenant, 'CustomerProfileChanged', { customerId: tenant.id, ...change, changedAt: at.toISOString() }, at, byKey(tenant));

/** `key` let a request in during the minute `at` falls in, recorded on the tenant's key-use stream. */
export function apiKeyUsed(tenant: SpecTenant, key: SpecApiKey, at = new Date()): GivenEvent {
  const minute = new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString();
  const data = { customerId: tenant.id, keyId: key.id, minute };
  return given(streams.keyUse(tenant.id), 'ApiKeyUsed', data, { tenantId: tenant.id, actor: `apiKey:${key.id}`, at });
}

/**
 * A rotation of the deployment's signing keys `at` (possibly long ago): `current` retires, `next`
 * signs, and `newNext` (sealed by the caller) is published, as the operator's rotation appends them.
 */
export function signingKeysRotated(
  streamName: string,
  kids: { current: string; next: string },
  newNext: Omit<EventOf<'SigningKeyAdded'>['data'], 'addedAt'>,
  at: Date,
): GivenEvent[] {
  const meta = { tenantId: 'operator', actor: 'operator' as const, at };
  return [
    given(streamName, 'SigningKeyRetired', { kid: kids.current, successorKid: kids.next, retiredAt: at.toISOString() }, meta),
    given(streamName, 'SigningKeyActivated', { kid: kids.next, activatedAt: at.toISOString() }, meta),
    given(streamName, 'SigningKeyAdded', { ...newNext, addedAt: at.toISOString() }, meta),
  ];
}

/** A self-service signup's code: sent to `email` at `at`, or `minutesAgo` before now. */
export interface SpecSignup {
  id: string;
  /** As the caller typed it; the events hold its normalised form. */
  email: string;
  code: string;
  companyName: string;
  /** The customer a verify registers: derived from the email. */
  customerId: string;
  requestedAt: Date;
}

/** A random address per case, so cases sharing one app never share a signup stream or a customer. */
export const specSignupEmail = (name = 'ada'): string => `${name}.${randomHex(4)}@signup.test`;

export function specSignup(email: string, options: { code?: string; minutesAgo?: number; companyName?: string } = {}): SpecSignup {
  const requestedAt = new Date(Date.now() - (options.minutesAgo ?? 0) * 60_000);
  return {
    id: `chl_${randomHex(8)}`,
    email,
    code: options.code ?? '123456789',
    companyName: options.companyName ?? 'Acme Ltd',
    customerId: signupCustomerIdFor(email),
    requestedAt,
  };
}

const signupStream = (s: SpecSignup) => streams.signup(signupEmailKeyFor(s.email));
const bySignup = (s: SpecSignup, at: Date) => ({ tenantId: s.customerId, actor: 'system' as const, at });

/** What POST /v1/signup records: the code and what to register with it, on the email's signup stream. */
export function signupRequested(s: SpecSignup): GivenEvent[] {
  const requestedAt = s.requestedAt.toISOString();
  const otp = {
    challengeId: s.id,
    customerId: s.customerId,
    emailKey: signupEmailKeyFor(s.email),
    email: normaliseEmail(s.email),
    codeHash: storedCodeHash(s.id, s.code),
    codeLength: s.code.length,
    requestedAt,
    expiresAt: new Date(s.requestedAt.getTime() + 10 * 60_000).toISOString(),
    maxAttempts: 5,
  };
  const application = { challengeId: s.id, customerId: s.customerId, companyName: s.companyName, plan: 'free' as const, requestedAt };
  return [
    given(signupStream(s), 'OtpRequested', otp, bySignup(s, s.requestedAt)),
    given(signupStream(s), 'SignupRequested', application, bySignup(s, s.requestedAt)),
  ];
}

/** `count` wrong codes at a signup's challenge; the fifth also locks it. */
export function signupWrongCodesTried(s: SpecSignup, count: number): GivenEvent[] {
  return Array.from({ length: count }, (_, i) => {
    const data = {
      challengeId: s.id,
      reason: 'wrong_code' as const,
      attemptsRemaining: Math.max(0, 4 - i),
      failedAt: s.requestedAt.toISOString(),
    };
    const failed = given(signupStream(s), 'OtpVerificationFailed', data, bySignup(s, s.requestedAt));
    return i === 4 ? [failed, given(signupStream(s), 'OtpChallengeLocked', { challengeId: s.id }, bySignup(s, s.requestedAt))] : [failed];
  }).flat();
}

/** The tenant a completed signup of `s` registered, under the id derived from its email. */
export function signedUpTenant(s: SpecSignup): SpecTenant {
  return { id: s.customerId, name: s.companyName, email: normaliseEmail(s.email), plan: 'free', key: specApiKey(s.customerId) };
}
/** Version `version` of the tenant's config, whole, written by its first key at `at`. */
export const tenantConfigChanged = (tenant: SpecTenant, version: number, config: TenantConfig, at = new Date()): GivenEvent =>
  given(
    streams.config(tenant.id),
    'TenantConfigChanged',
    { customerId: tenant.id, version, config, changedAt: at.toISOString() },
    { tenantId: tenant.id, actor: byKey(tenant), at },
  );

/** Version `version` of the tenant's config (the whole-document form is `tenantConfigChanged`): the defaults with `change` applied, as a PUT by its admin key stores it. */
export function tenantConfigWith(
  tenant: SpecTenant,
  change: (config: TenantConfig) => TenantConfig,
  version = 1,
  at = new Date(),
): GivenEvent {
  const data = { customerId: tenant.id, version, config: change(structuredClone(DEFAULT_TENANT_CONFIG)), changedAt: at.toISOString() };
  return given(streams.config(tenant.id), 'TenantConfigChanged', data, { tenantId: tenant.id, actor: byKey(tenant), at });
}
/** A publishable key (`pk_live_...`) for `tenantId`: what a tenant puts in its web pages, with otp:write alone. */
export function specPublishableKey(tenantId: string): SpecApiKey {
  const { keyId, prefix, key } = formatApiKey(tenantId, randomHex(6), randomToken(32), 'publishable');
  return { id: keyId, prefix, key, scopes: ['otp:write'], kind: 'publishable' };
}

/** The tenant's config at version 1: the defaults, with these origins allowed to use its keys from a browser. */
export function originsAllowed(tenant: SpecTenant, origins: string[], at = new Date()): GivenEvent {
  const config = { ...DEFAULT_TENANT_CONFIG, cors: { allowedOrigins: origins } };
  const data = { customerId: tenant.id, version: 1, config, changedAt: at.toISOString() };
  return given(streams.config(tenant.id), 'TenantConfigChanged', data, { tenantId: tenant.id, actor: byKey(tenant), at });
}

/** The tenant claimed `domain`; the TXT record to publish holds `recordValue`. */
export const domainAdded = (tenant: SpecTenant, domain: string, recordValue: string, at = new Date()): GivenEvent =>
  onCustomer(
    tenant,
    'DomainAdded',
    { customerId: tenant.id, domain, recordName: `_otp-auth.${domain}`, recordValue, addedAt: at.toISOString() },
    at,
    byKey(tenant),
  );

export const domainVerified = (tenant: SpecTenant, domain: string, at = new Date()): GivenEvent =>
  onCustomer(tenant, 'DomainVerified', { customerId: tenant.id, domain, verifiedAt: at.toISOString() }, at, byKey(tenant));

/** The operator set the tenant's OTP quotas (null: the plan's). */
export const quotasChanged = (tenant: SpecTenant, daily: number | null, monthly: number | null, at = new Date()): GivenEvent =>
  onCustomer(tenant, 'CustomerQuotasChanged', { customerId: tenant.id, daily, monthly, changedAt: at.toISOString() }, at, 'operator');

/** Version 1 of the tenant's config: the defaults with `change` laid over them. */
export function tenantConfigSet(tenant: SpecTenant, change: Partial<TenantConfig>, at = new Date()): GivenEvent {
  const data = { customerId: tenant.id, version: 1, config: { ...DEFAULT_TENANT_CONFIG, ...change }, changedAt: at.toISOString() };
  return given(streams.config(tenant.id), 'TenantConfigChanged', data, { tenantId: tenant.id, actor: byKey(tenant), at });
}
