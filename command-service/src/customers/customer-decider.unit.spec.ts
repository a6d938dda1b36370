import { describe, expect, it } from 'vitest';
import { authorizeApiKey, DEFAULT_TENANT_CONFIG, type EventOf, type Scope } from '@otp/contracts';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { DomainError } from '../handling/decider';
import {
  customerDecider,
  MAX_ACTIVE_API_KEYS,
  MAX_GRACE_SECONDS,
  type ChangeCustomerStatus,
  type ChangePlan,
  type ChangeProfile,
  type ChangeQuotas,
  type CustomerEvent,
  type CustomerState,
  type IssueApiKey,
  type RevokeApiKey,
  type RotateApiKey,
} from './customer-decider';

const given = contractCheckedSpecFor(customerDecider);
// The default tenant's grace; the use case passes its tenant's.
const DEFAULT_GRACE_SECONDS = DEFAULT_TENANT_CONFIG.apiKeys.rotationGraceSeconds;
const customerId = 'cus_00000000000000a1';
const now = new Date('2025-03-01T12:00:00.000Z');
const keyId = (n: number) => `key_${n.toString(16).padStart(12, '0')}`;

const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { customerId, name: 'Acme', email: 'ops@acme.test', plan: 'pro', registeredAt: '2025-03-01T11:00:00.000Z' },
};
const issued = (n: number, scopes: Scope[] = ['otp:write']): CustomerEvent => ({
  type: 'ApiKeyIssued',
  data: {
    customerId,
    keyId: keyId(n),
    prefix: `otp_${keyId(n)}`,
    keyHash: `hash-${n}`,
    scopes,
    issuedAt: '2025-03-01T11:30:00.000Z',
    kind: 'secret',
  },
});
const issue = (n: number, scopes: Scope[] = ['otp:write', 'analytics:read']): IssueApiKey => ({
  type: 'IssueApiKey',
  customerId,
  keyId: keyId(n),
  prefix: `otp_${keyId(n)}`,
  keyHash: `hash-${n}`,
  scopes,
  now,
});

const fold = (events: CustomerEvent[]): CustomerState => events.reduce(customerDecider.evolve, customerDecider.initialState());
const suspendedEvent: CustomerEvent = {
  type: 'CustomerSuspended',
  data: { customerId, reason: 'unpaid invoice', suspendedAt: '2025-03-01T11:45:00.000Z' },
};
const cancelledEvent: CustomerEvent = {
  type: 'CustomerCancelled',
  data: { customerId, reason: 'closed the account', cancelledAt: '2025-03-01T11:50:00.000Z' },
};
const revokedEvent = (n: number): CustomerEvent => ({
  type: 'ApiKeyRevoked',
  data: { customerId, keyId: keyId(n), revokedAt: '2025-03-01T11:40:00.000Z' },
});
const suspended = (state: CustomerState): CustomerState => customerDecider.evolve(state, suspendedEvent);
const revoked = (state: CustomerState, id: string): CustomerState =>
  customerDecider.evolve(state, { type: 'ApiKeyRevoked', data: { customerId, keyId: id, revokedAt: now.toISOString() } });
const refusalOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  return undefined;
};

describe('RegisterCustomer', () => {
  it('registers a new customer', () =>
    given([])
      .when({ type: 'RegisterCustomer', customerId, name: 'Acme', email: 'ops@acme.test', plan: 'pro', now })
      .then([
        {
          type: 'CustomerRegistered',
          data: { customerId, name: 'Acme', email: 'ops@acme.test', plan: 'pro', registeredAt: now.toISOString() },
        },
      ]));

  it('records the company name a signup gave', () =>
    given([])
      .when({ type: 'RegisterCustomer', customerId, name: 'Acme Ltd', email: 'ops@acme.test', plan: 'free', companyName: 'Acme Ltd', now })
      .then([
        {
          type: 'CustomerRegistered',
          data: {
            customerId,
            name: 'Acme Ltd',
            email: 'ops@acme.test',
            plan: 'free',
            registeredAt: now.toISOString(),
            companyName: 'Acme Ltd',
          },
        },
      ]));

  it('refuses to register the same customer twice', () =>
    given([registered])
      .when({ type: 'RegisterCustomer', customerId, name: 'Acme', email: 'ops@acme.test', plan: 'free', now })
      .thenRefuses('customer_exists', { customerId }));
});

describe('IssueApiKey', () => {
  it('issues a key to a registered customer', () =>
    given([registered])
      .when(issue(1))
      .then([
        {
          type: 'ApiKeyIssued',
          data: {
            customerId,
            keyId: keyId(1),
            prefix: `otp_${keyId(1)}`,
            keyHash: 'hash-1',
            scopes: ['otp:write', 'analytics:read'],
            issuedAt: now.toISOString(),
            kind: 'secret',
          },
        },
      ]));

  it('records each scope once', () => {
    const events = customerDecider.decide(issue(1, ['otp:write', 'otp:write', 'audit:read']), fold([registered]));
    expect(events[0]?.type === 'ApiKeyIssued' && events[0].data.scopes).toEqual(['otp:write', 'audit:read']);
  });

  it('refuses a customer that is not registered', () => given([]).when(issue(1)).thenRefuses('customer_not_found', { customerId }));

  it('refuses a suspended customer', () =>
    expect(refusalOf(() => customerDecider.decide(issue(1), suspended(fold([registered]))))).toBe('customer_inactive'));

  it('refuses a key id already used', () =>
    given([registered, issued(1)])
      .when(issue(1))
      .thenRefuses('key_exists', { keyId: keyId(1) }));

  it('refuses a key id already used even when that key is revoked', () =>
    expect(refusalOf(() => customerDecider.decide(issue(1), revoked(fold([registered, issued(1)]), keyId(1))))).toBe('key_exists'));

  it('refuses a key without scopes', () => given([registered]).when(issue(1, [])).thenRefuses('no_scopes'));

  const keys = (count: number) => Array.from({ length: count }, (_, i) => issued(i + 1));

  it(`issues the ${MAX_ACTIVE_API_KEYS}th active key`, () => {
    const events = customerDecider.decide(issue(100), fold([registered, ...keys(MAX_ACTIVE_API_KEYS - 1)]));
    expect(events).toHaveLength(1);
  });

  it(`refuses more than ${MAX_ACTIVE_API_KEYS} active keys`, () =>
    given([registered, ...keys(MAX_ACTIVE_API_KEYS)])
      .when(issue(100))
      .thenRefuses('too_many_keys', { limit: MAX_ACTIVE_API_KEYS }));

  it('does not count revoked keys toward the cap', () => {
    const state = revoked(fold([registered, ...keys(MAX_ACTIVE_API_KEYS)]), keyId(3));
    expect(customerDecider.decide(issue(100), state)).toHaveLength(1);
  });
});

// The rule lives in contracts (both sides authenticate); it is specified here over the decider's own fold.
describe('authorizeApiKey', () => {
  const equals = (a: string, b: string) => a === b;
  const state = fold([registered, issued(1, ['otp:write', 'analytics:read'])]);

  it('accepts an active key of an active customer with its scopes', () =>
    expect(authorizeApiKey(state, keyId(1), 'hash-1', equals, now)).toEqual({
      ok: true,
      customerId,
      scopes: ['otp:write', 'analytics:read'],
      kind: 'secret',
    }));

  it('compares the stored hash with the presented one through the given function', () => {
    const calls: [string, string][] = [];
    authorizeApiKey(state, keyId(1), 'presented', (a, b) => (calls.push([a, b]), false), now);
    expect(calls).toEqual([['hash-1', 'presented']]);
  });

  it('does not know a key id it never issued', () =>
    expect(authorizeApiKey(state, keyId(2), 'hash-1', equals, now)).toEqual({ ok: false, reason: 'unknown_key' }));

  it('treats a wrong secret as an unknown key', () =>
    expect(authorizeApiKey(state, keyId(1), 'hash-2', equals, now)).toEqual({ ok: false, reason: 'unknown_key' }));

  it('knows no key of an unregistered customer', () =>
    expect(authorizeApiKey(customerDecider.initialState(), keyId(1), 'hash-1', equals, now)).toEqual({
      ok: false,
      reason: 'unknown_key',
    }));

  it('rejects a revoked key presented with its secret', () =>
    expect(authorizeApiKey(revoked(state, keyId(1)), keyId(1), 'hash-1', equals, now)).toEqual({ ok: false, reason: 'revoked' }));

  it('does not reveal revocation to a caller without the secret', () =>
    expect(authorizeApiKey(revoked(state, keyId(1)), keyId(1), 'nope', equals, now)).toEqual({
      ok: false,
      reason: 'unknown_key',
    }));

  it('rejects a key of a suspended customer', () =>
    expect(authorizeApiKey(suspended(state), keyId(1), 'hash-1', equals, now)).toEqual({
      ok: false,
      reason: 'customer_inactive',
    }));
});

describe('IssueApiKey with a name', () => {
  it('records the name the tenant gave the key', () =>
    given([registered])
      .when({ ...issue(1), name: 'checkout app' })
      .then([
        {
          type: 'ApiKeyIssued',
          data: {
            customerId,
            keyId: keyId(1),
            prefix: `otp_${keyId(1)}`,
            keyHash: 'hash-1',
            scopes: ['otp:write', 'analytics:read'],
            issuedAt: now.toISOString(),
            name: 'checkout app',
            kind: 'secret',
          },
        },
      ]));
});

describe('IssueApiKey of a publishable key', () => {
  const publishable = (scopes: Scope[] = ['otp:write']): IssueApiKey => ({
    ...issue(1, scopes),
    prefix: `pk_live_${customerId.slice(4)}_${keyId(1).slice(4)}`,
    kind: 'publishable',
  });

  it('records the kind with the key', () =>
    given([registered])
      .when(publishable())
      .then([
        {
          type: 'ApiKeyIssued',
          data: {
            customerId,
            keyId: keyId(1),
            prefix: `pk_live_${customerId.slice(4)}_${keyId(1).slice(4)}`,
            keyHash: 'hash-1',
            scopes: ['otp:write'],
            issuedAt: now.toISOString(),
            kind: 'publishable',
          },
        },
      ]));

  it('refuses any scope beyond otp:write: the key is in a web page for anyone to copy', () =>
    given([registered])
      .when(publishable(['otp:write', 'customer:admin']))
      .thenRefuses('publishable_scopes'));

  it('refuses a publishable key drawn with a secret prefix', () =>
    expect(() =>
      customerDecider.decide({ ...publishable(), prefix: `ok_live_${customerId.slice(4)}_000000000001` }, fold([registered])),
    ).toThrow(/prefix of another kind/));

  it('lets a publishable key in as publishable', () => {
    const state = fold([registered, ...customerDecider.decide(publishable(), fold([registered]))]);
    expect(authorizeApiKey(state, keyId(1), 'hash-1', (a, b) => a === b, now)).toEqual({
      ok: true,
      customerId,
      scopes: ['otp:write'],
      kind: 'publishable',
    });
  });

  it('rotates a publishable key into a publishable heir', () => {
    const issued = customerDecider.decide(publishable(), fold([registered]));
    const rotate: RotateApiKey = {
      type: 'RotateApiKey',
      customerId,
      keyId: keyId(1),
      newKeyId: keyId(2),
      prefix: `pk_live_${customerId.slice(4)}_${keyId(2).slice(4)}`,
      keyHash: 'hash-2',
      graceSeconds: 0,
      now,
    };
    const [rotated] = customerDecider.decide(rotate, fold([registered, ...issued]));
    expect(rotated).toMatchObject({ type: 'ApiKeyRotated', data: { kind: 'publishable', newKeyId: keyId(2) } });
    expect(() =>
      customerDecider.decide({ ...rotate, prefix: `ok_live_${customerId.slice(4)}_${keyId(2).slice(4)}` }, fold([registered, ...issued])),
    ).toThrow(/prefix of another kind/);
  });
});

describe('RotateApiKey', () => {
  const named: CustomerEvent = {
    type: 'ApiKeyIssued',
    data: { ...(issued(1, ['otp:write']).data as EventOf<'ApiKeyIssued'>['data']), name: 'checkout app' },
  };
  const rotate = (n: number, graceSeconds = DEFAULT_GRACE_SECONDS): RotateApiKey => ({
    type: 'RotateApiKey',
    customerId,
    keyId: keyId(n),
    newKeyId: keyId(50),
    prefix: `otp_${keyId(50)}`,
    keyHash: 'hash-50',
    graceSeconds,
    now,
  });
  const rotated = (graceEndsAt: string): CustomerEvent => ({
    type: 'ApiKeyRotated',
    data: {
      customerId,
      keyId: keyId(1),
      newKeyId: keyId(50),
      prefix: `otp_${keyId(50)}`,
      keyHash: 'hash-50',
      scopes: ['otp:write'],
      name: 'checkout app',
      kind: 'secret',
      rotatedAt: now.toISOString(),
      graceEndsAt,
    },
  });

  it('replaces the key by one with its scopes and name, the old one valid for a week by default', () =>
    given([registered, named])
      .when(rotate(1))
      .then([rotated('2025-03-08T12:00:00.000Z')]));

  it('ends the grace at once when asked for none', () =>
    given([registered, named])
      .when(rotate(1, 0))
      .then([rotated(now.toISOString())]));

  it.each([-1, MAX_GRACE_SECONDS + 1, 1.5])('refuses a grace of %s seconds', (graceSeconds) =>
    given([registered, named]).when(rotate(1, graceSeconds)).thenRefuses('invalid_grace', { graceSeconds }),
  );

  it('refuses a key it never issued', () =>
    given([registered, named])
      .when(rotate(2))
      .thenRefuses('key_not_found', { keyId: keyId(2) }));

  it('refuses a key already rotated: it has its heir', () =>
    given([registered, named, rotated('2025-03-08T12:00:00.000Z')])
      .when({ ...rotate(1), newKeyId: keyId(51) })
      .thenRefuses('key_not_active', { status: 'rotated' }));

  it('refuses a revoked key', () =>
    given([registered, named, issued(2, ['customer:admin']), revokedEvent(1)])
      .when(rotate(1))
      .thenRefuses('key_not_active', { status: 'revoked' }));

  it('refuses a suspended customer', () =>
    given([registered, named, suspendedEvent]).when(rotate(1)).thenRefuses('customer_inactive', { status: 'suspended' }));

  describe('the old key during and after its grace', () => {
    const equals = (a: string, b: string) => a === b;
    const state = fold([registered, named, rotated('2025-03-01T12:10:00.000Z')]);
    const at = (iso: string) => new Date(iso);

    it('lets the old key in until the instant its grace ends', () =>
      expect(authorizeApiKey(state, keyId(1), 'hash-1', equals, at('2025-03-01T12:09:59.999Z'))).toMatchObject({ ok: true }));

    it('refuses the old key from the end of its grace on', () =>
      expect(authorizeApiKey(state, keyId(1), 'hash-1', equals, at('2025-03-01T12:10:00.000Z'))).toEqual({
        ok: false,
        reason: 'revoked',
      }));

    it('lets the new key in with the old scopes', () =>
      expect(authorizeApiKey(state, keyId(50), 'hash-50', equals, now)).toEqual({
        ok: true,
        customerId,
        scopes: ['otp:write'],
        kind: 'secret',
      }));

    it('treats a grace of zero as revoked at once', () =>
      expect(authorizeApiKey(fold([registered, named, rotated(now.toISOString())]), keyId(1), 'hash-1', equals, now)).toEqual({
        ok: false,
        reason: 'revoked',
      }));
  });
});

describe('RevokeApiKey', () => {
  const revoke = (n: number): RevokeApiKey => ({ type: 'RevokeApiKey', customerId, keyId: keyId(n), now });
  const admin = (n: number) => issued(n, ['customer:admin', 'otp:write']);

  it('revokes a key while another admin key remains', () =>
    given([registered, admin(1), admin(2)])
      .when(revoke(1))
      .then([{ type: 'ApiKeyRevoked', data: { customerId, keyId: keyId(1), revokedAt: now.toISOString() } }]));

  it('revokes a key without customer:admin even when one admin key is left', () =>
    given([registered, admin(1), issued(2, ['otp:write'])])
      .when(revoke(2))
      .then([{ type: 'ApiKeyRevoked', data: { customerId, keyId: keyId(2), revokedAt: now.toISOString() } }]));

  it('refuses to revoke the last active key with customer:admin', () =>
    given([registered, admin(1), issued(2, ['otp:write'])])
      .when(revoke(1))
      .thenRefuses('last_admin_key', { keyId: keyId(1) }));

  // Key 2 (admin) rotated into key 3, given only otp:write here to isolate the rule.
  const inGraceOf = (n: number): CustomerEvent => ({
    type: 'ApiKeyRotated',
    data: {
      customerId,
      keyId: keyId(n),
      newKeyId: keyId(n + 1),
      prefix: `otp_${keyId(n + 1)}`,
      keyHash: `hash-${n + 1}`,
      scopes: ['otp:write'],
      rotatedAt: now.toISOString(),
      graceEndsAt: '2025-03-08T12:00:00.000Z',
    },
  });

  it('does not count an admin key in its grace as the one left', () =>
    given([registered, admin(1), admin(2), inGraceOf(2)])
      .when(revoke(1))
      .thenRefuses('last_admin_key'));

  it('ends a rotated key in its grace at once', () =>
    given([registered, admin(1), admin(2), inGraceOf(2)])
      .when(revoke(2))
      .then([{ type: 'ApiKeyRevoked', data: { customerId, keyId: keyId(2), revokedAt: now.toISOString() } }]));

  it('records nothing for a key already revoked', () =>
    given([registered, admin(1), admin(2), revokedEvent(2)])
      .when(revoke(2))
      .thenNothing());

  it('refuses a key it never issued', () =>
    given([registered, admin(1)])
      .when(revoke(9))
      .thenRefuses('key_not_found', { keyId: keyId(9) }));

  it('refuses a customer that is not registered', () => given([]).when(revoke(1)).thenRefuses('customer_not_found'));
});

describe('the operator changes the status', () => {
  const change = (type: ChangeCustomerStatus['type']): ChangeCustomerStatus => ({ type, customerId, reason: 'ticket 42', now });
  const at = now.toISOString();

  it('suspends an active customer', () =>
    given([registered])
      .when(change('SuspendCustomer'))
      .then([{ type: 'CustomerSuspended', data: { customerId, reason: 'ticket 42', suspendedAt: at } }]));

  it('activates a suspended customer', () =>
    given([registered, suspendedEvent])
      .when(change('ActivateCustomer'))
      .then([{ type: 'CustomerActivated', data: { customerId, reason: 'ticket 42', activatedAt: at } }]));

  it.each([
    ['suspends', 'SuspendCustomer', [registered, suspendedEvent]],
    ['activates', 'ActivateCustomer', [registered]],
    ['cancels', 'CancelCustomer', [registered, cancelledEvent]],
  ] as const)('records nothing when it %s a customer already so', (_name, type, events) =>
    given([...events])
      .when(change(type))
      .thenNothing(),
  );

  it.each(['active', 'suspended'] as const)('cancels a customer that is %s', (status) =>
    given(status === 'active' ? [registered] : [registered, suspendedEvent])
      .when(change('CancelCustomer'))
      .then([{ type: 'CustomerCancelled', data: { customerId, reason: 'ticket 42', cancelledAt: at } }]),
  );

  it.each(['SuspendCustomer', 'ActivateCustomer'] as const)('refuses to %s a cancelled customer', (type) =>
    given([registered, cancelledEvent]).when(change(type)).thenRefuses('customer_cancelled'),
  );

  it('refuses a customer that is not registered', () => given([]).when(change('SuspendCustomer')).thenRefuses('customer_not_found'));

  it('lets the keys of a suspended or cancelled customer in no more, telling only the holder of the secret', () => {
    const equals = (a: string, b: string) => a === b;
    for (const off of [suspendedEvent, cancelledEvent]) {
      const state = fold([registered, issued(1), off]);
      expect(authorizeApiKey(state, keyId(1), 'hash-1', equals, now)).toEqual({ ok: false, reason: 'customer_inactive' });
      expect(authorizeApiKey(state, keyId(1), 'wrong', equals, now)).toEqual({ ok: false, reason: 'unknown_key' });
    }
  });

  it('lets the keys in again once the customer is activated', () => {
    const activated: CustomerEvent = { type: 'CustomerActivated', data: { customerId, reason: 'paid', activatedAt: at } };
    const state = fold([registered, issued(1), suspendedEvent, activated]);
    expect(authorizeApiKey(state, keyId(1), 'hash-1', (a, b) => a === b, now)).toMatchObject({ ok: true });
  });
});

describe('ChangePlan', () => {
  const changePlan = (plan: ChangePlan['plan']): ChangePlan => ({ type: 'ChangePlan', customerId, plan, now });

  it('records the new plan and the one before', () =>
    given([registered])
      .when(changePlan('enterprise'))
      .then([
        { type: 'CustomerPlanChanged', data: { customerId, plan: 'enterprise', previousPlan: 'pro', changedAt: now.toISOString() } },
      ]));

  it('records nothing for the plan the customer has', () => given([registered]).when(changePlan('pro')).thenNothing());

  it('changes the plan of a suspended customer', () =>
    given([registered, suspendedEvent])
      .when(changePlan('free'))
      .then([{ type: 'CustomerPlanChanged', data: { customerId, plan: 'free', previousPlan: 'pro', changedAt: now.toISOString() } }]));

  it('refuses a cancelled customer', () => given([registered, cancelledEvent]).when(changePlan('free')).thenRefuses('customer_cancelled'));

  it('refuses a customer that is not registered', () => given([]).when(changePlan('free')).thenRefuses('customer_not_found'));
});

describe('ChangeProfile', () => {
  const change = (fields: Partial<ChangeProfile>): ChangeProfile => ({ type: 'ChangeProfile', customerId, now, ...fields });

  it('records only the fields sent', () =>
    given([registered])
      .when(change({ companyName: 'Acme Ltd', contactEmail: 'billing@acme.test' }))
      .then([
        {
          type: 'CustomerProfileChanged',
          data: { customerId, companyName: 'Acme Ltd', contactEmail: 'billing@acme.test', changedAt: now.toISOString() },
        },
      ]));

  it('records nothing when no field is sent', () => given([registered]).when(change({})).thenNothing());

  it('refuses a suspended customer', () =>
    given([registered, suspendedEvent])
      .when(change({ name: 'Acme 2' }))
      .thenRefuses('customer_inactive'));

  it('refuses a customer that is not registered', () =>
    given([])
      .when(change({ name: 'Acme' }))
      .thenRefuses('customer_not_found'));
});

describe('ChangeQuotas', () => {
  const changeQuotas = (daily: number | null, monthly: number | null): ChangeQuotas => ({
    type: 'ChangeQuotas',
    customerId,
    daily,
    monthly,
    now,
  });
  const quotasChanged = (daily: number | null, monthly: number | null): CustomerEvent => ({
    type: 'CustomerQuotasChanged',
    data: { customerId, daily, monthly, changedAt: now.toISOString() },
  });

  it("records the operator's quotas", () =>
    given([registered])
      .when(changeQuotas(50_000, null))
      .then([quotasChanged(50_000, null)]));

  it('records nothing for the quotas the customer has', () =>
    given([registered, quotasChanged(50_000, null)])
      .when(changeQuotas(50_000, null))
      .thenNothing());

  it("records nulls that return both windows to the plan's", () =>
    given([registered, quotasChanged(50_000, 900_000)])
      .when(changeQuotas(null, null))
      .then([quotasChanged(null, null)]));

  it('records nothing for nulls when no quota was ever set', () => given([registered]).when(changeQuotas(null, null)).thenNothing());

  it('refuses a negative or fractional quota', () => {
    given([registered]).when(changeQuotas(-1, null)).thenRefuses('invalid_quota');
    given([registered]).when(changeQuotas(null, 1.5)).thenRefuses('invalid_quota');
  });

  it('refuses a cancelled customer', () => given([registered, cancelledEvent]).when(changeQuotas(1, 1)).thenRefuses('customer_cancelled'));

  it('refuses a customer that is not registered', () => given([]).when(changeQuotas(1, 1)).thenRefuses('customer_not_found'));
});
