import { describe, it } from 'vitest';
import { DEFAULT_TENANT_CONFIG, type DomainState, type TenantConfig } from '@otp/contracts';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { tenantConfigDecider, type ConfigEvent, type PatchTenantConfig, type ReplaceTenantConfig } from './tenant-config-decider';

const given = contractCheckedSpecFor(tenantConfigDecider);
const customerId = 'cus_00000000000000a1';
const now = new Date('2026-03-01T12:00:00.000Z');

const withOtp = (otp: Partial<TenantConfig['otp']>): TenantConfig => ({
  ...DEFAULT_TENANT_CONFIG,
  otp: { ...DEFAULT_TENANT_CONFIG.otp, ...otp },
});
const changed = (version: number, config: TenantConfig, at = now): ConfigEvent => ({
  type: 'TenantConfigChanged',
  data: { customerId, version, config, changedAt: at.toISOString() },
});
const replace = (config: TenantConfig, expectedVersion?: number, senderDomains: DomainState[] = []): ReplaceTenantConfig => ({
  type: 'ReplaceTenantConfig',
  customerId,
  config,
  expectedVersion,
  senderDomains,
  now,
});
const patch = (change: PatchTenantConfig['patch'], expectedVersion?: number): PatchTenantConfig => ({
  type: 'PatchTenantConfig',
  customerId,
  patch: change,
  expectedVersion,
  senderDomains: [],
  now,
});
const earlier = new Date('2026-02-01T00:00:00.000Z');
const six = withOtp({ length: 6 });

const domain = (name: string, status: DomainState['status']): DomainState => ({
  domain: name,
  recordName: `_otp-auth.${name}`,
  recordValue: 'otp-auth-verify=token',
  status,
  addedAt: earlier.toISOString(),
  verifiedAt: status === 'verified' ? earlier.toISOString() : null,
});
const sendingFrom = (from: string): TenantConfig => ({ ...DEFAULT_TENANT_CONFIG, email: { ...DEFAULT_TENANT_CONFIG.email, from } });

describe('the tenant config decider', () => {
  describe('the sender address', () => {
    it('takes a from address on a domain the tenant verified', () =>
      given([])
        .when(replace(sendingFrom('Acme <login@acme.test>'), undefined, [domain('acme.test', 'verified')]))
        .then([changed(1, sendingFrom('Acme <login@acme.test>'))]));

    it('refuses a domain only claimed, not verified, and one never claimed', () => {
      given([])
        .when(replace(sendingFrom('login@acme.test'), undefined, [domain('acme.test', 'pending')]))
        .thenRefuses('domain_not_verified');
      given([])
        .when(replace(sendingFrom('login@other.test'), undefined, [domain('acme.test', 'verified')]))
        .thenRefuses('domain_not_verified');
    });
  });

  describe('versions', () => {
    it('writes version 1 over the defaults', () =>
      given([])
        .when(replace(six))
        .then([changed(1, six)]));

    it('numbers each change one after the last', () =>
      given([changed(1, six, earlier), changed(2, withOtp({ length: 7 }), earlier)])
        .when(replace(withOtp({ length: 8 })))
        .then([changed(3, withOtp({ length: 8 }))]));

    it('writes when If-Match names the current version, 0 before any write', () => {
      given([])
        .when(replace(six, 0))
        .then([changed(1, six)]);
      given([changed(1, six, earlier)])
        .when(replace(DEFAULT_TENANT_CONFIG, 1))
        .then([changed(2, DEFAULT_TENANT_CONFIG)]);
    });

    it.each([0, 2, 7])('refuses a write expecting version %i when the config is at 1', (expected) =>
      given([changed(1, six, earlier)])
        .when(replace(withOtp({ length: 7 }), expected))
        .thenRefuses('config_version_conflict', { currentVersion: 1, expectedVersion: expected }),
    );

    it('refuses a stale writer even when its write would change nothing', () =>
      given([changed(1, six, earlier), changed(2, six, earlier)])
        .when(patch({ otp: { length: 6 } }, 1))
        .thenRefuses('config_version_conflict'));
  });

  describe('a write that changes nothing', () => {
    it('appends nothing for the document that holds', () =>
      given([changed(1, six, earlier)])
        .when(replace(six))
        .thenNothing());
    it('appends nothing when the defaults are written over the defaults', () =>
      given([]).when(replace(DEFAULT_TENANT_CONFIG)).thenNothing());
    it('appends nothing for an empty patch', () =>
      given([changed(1, six, earlier)])
        .when(patch({}, 1))
        .thenNothing());
  });

  describe('patches', () => {
    it('keeps every field the patch leaves out, in the section it changes and in the others', () =>
      given([changed(1, { ...six, tokens: { accessTtlSeconds: 300, refreshTtlSeconds: 7200 } }, earlier)])
        .when(patch({ otp: { ttlSeconds: 120 }, email: { appName: 'Acme' } }))
        .then([
          changed(2, {
            ...six,
            otp: { ...six.otp, ttlSeconds: 120 },
            email: { ...six.email, appName: 'Acme' },
            tokens: { accessTtlSeconds: 300, refreshTtlSeconds: 7200 },
          }),
        ]));

    it('replaces an array whole', () => {
      const before = {
        ...DEFAULT_TENANT_CONFIG,
        ipAllowlist: ['10.0.0.0/8', '192.168.0.0/16'],
        cors: { allowedOrigins: ['https://a.test'] },
      };
      return given([changed(1, before, earlier)])
        .when(patch({ ipAllowlist: ['203.0.113.7'], cors: { allowedOrigins: [] } }))
        .then([changed(2, { ...before, ipAllowlist: ['203.0.113.7'], cors: { allowedOrigins: [] } })]);
    });

    it('keeps the sealed provider key when the patch leaves the provider out', () => {
      const resend: TenantConfig = {
        ...DEFAULT_TENANT_CONFIG,
        email: { ...DEFAULT_TENANT_CONFIG.email, provider: { kind: 'resend', apiKeySealed: 'v1.a.b.c' } },
      };
      return given([changed(1, resend, earlier)])
        .when(patch({ email: { subject: 'Your {{appName}} code' } }))
        .then([changed(2, { ...resend, email: { ...resend.email, subject: 'Your {{appName}} code' } })]);
    });
  });

  describe('templates', () => {
    const email = (change: Partial<TenantConfig['email']>): TenantConfig => ({
      ...DEFAULT_TENANT_CONFIG,
      email: { ...DEFAULT_TENANT_CONFIG.email, ...change },
    });

    it('stores templates that use the known variables', () => {
      const config = email({ subject: '{{appName}}', text: 'Code {{otp}} for {{email}}', html: '<b>{{otp}}</b> {{expiresInMinutes}}' });
      return given([])
        .when(replace(config))
        .then([changed(1, config)]);
    });

    it('refuses an unknown variable, naming the field', () =>
      given([])
        .when(replace(email({ subject: 'Hello {{firstName}}' })))
        .thenRefuses('invalid_template', { field: 'email.subject' }));

    it('refuses a text template without {{otp}}', () =>
      given([])
        .when(patch({ email: { text: 'Welcome to {{appName}}' } }))
        .thenRefuses('invalid_template', { field: 'email.text' }));

    it('refuses an html template without {{otp}}', () =>
      given([])
        .when(patch({ email: { html: '<p>hi</p>' } }))
        .thenRefuses('invalid_template', { field: 'email.html' }));

    it('takes an emptied template back to the default text', () =>
      given([changed(1, email({ text: 'Code {{otp}}' }), earlier)])
        .when(patch({ email: { text: '' } }))
        .then([changed(2, email({ text: '' }))]));
  });
});
