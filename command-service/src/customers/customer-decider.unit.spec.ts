import { describe, expect, it } from 'vitest';
import { authorizeApiKey, type Scope } from '@otp/contracts';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { DomainError } from '../handling/decider';
import { customerDecider, MAX_ACTIVE_API_KEYS, type CustomerEvent, type CustomerState, type IssueApiKey } from './customer-decider';

const given = contractCheckedSpecFor(customerDecider);
const customerId = 'cus_00000000000000a1';
const now = new Date('2025-03-01T12:00:00.000Z');
const keyId = (n: number) => `key_${n.toString(16).padStart(12, '0')}`;

const registered: CustomerEvent = {
  type: 'CustomerRegistered',
  data: { customerId, name: 'Acme', email: 'ops@acme.test', plan: 'pro', registeredAt: '2025-03-01T11:00:00.000Z' },
};
const issued = (n: number, scopes: Scope[] = ['otp:write']): CustomerEvent => ({
  type: 'ApiKeyIssued',
  data: { customerId, keyId: keyId(n), prefix: `otp_${keyId(n)}`, keyHash: `hash-${n}`, scopes, issuedAt: '2025-03-01T11:30:00.000Z' },
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

// Suspension and revocation have no events yet, so those states are set by hand.
const fold = (events: CustomerEvent[]): CustomerState => events.reduce(customerDecider.evolve, customerDecider.initialState());
const suspended = (state: CustomerState): CustomerState => ({ ...state, status: 'suspended' });
const revoked = (state: CustomerState, id: string): CustomerState => {
  const key = state.keys.get(id);
  if (!key) throw new Error('no such key in the fixture');
  return { ...state, keys: new Map(state.keys).set(id, { ...key, status: 'revoked' }) };
};
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
    expect(authorizeApiKey(state, keyId(1), 'hash-1', equals)).toEqual({
      ok: true,
      customerId,
      scopes: ['otp:write', 'analytics:read'],
    }));

  it('compares the stored hash with the presented one through the given function', () => {
    const calls: [string, string][] = [];
    authorizeApiKey(state, keyId(1), 'presented', (a, b) => (calls.push([a, b]), false));
    expect(calls).toEqual([['hash-1', 'presented']]);
  });

  it('does not know a key id it never issued', () =>
    expect(authorizeApiKey(state, keyId(2), 'hash-1', equals)).toEqual({ ok: false, reason: 'unknown_key' }));

  it('treats a wrong secret as an unknown key', () =>
    expect(authorizeApiKey(state, keyId(1), 'hash-2', equals)).toEqual({ ok: false, reason: 'unknown_key' }));

  it('knows no key of an unregistered customer', () =>
    expect(authorizeApiKey(customerDecider.initialState(), keyId(1), 'hash-1', equals)).toEqual({
      ok: false,
      reason: 'unknown_key',
    }));

  it('rejects a revoked key presented with its secret', () =>
    expect(authorizeApiKey(revoked(state, keyId(1)), keyId(1), 'hash-1', equals)).toEqual({ ok: false, reason: 'revoked' }));

  it('does not reveal revocation to a caller without the secret', () =>
    expect(authorizeApiKey(revoked(state, keyId(1)), keyId(1), 'nope', equals)).toEqual({
      ok: false,
      reason: 'unknown_key',
    }));

  it('rejects a key of a suspended customer', () =>
    expect(authorizeApiKey(suspended(state), keyId(1), 'hash-1', equals)).toEqual({
      ok: false,
      reason: 'customer_inactive',
    }));
});
