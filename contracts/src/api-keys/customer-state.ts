import type { ApiKeyKind, Plan, Scope } from '../ids';
import type { DomainState } from '../domains/verified-from';
import type { OtpQuotas } from '../limits/plan-limits';
import type { EventOf } from '../events/registry';

export type CustomerEvent =
  | EventOf<'CustomerRegistered'>
  | EventOf<'ApiKeyIssued'>
  | EventOf<'ApiKeyRotated'>
  | EventOf<'ApiKeyRevoked'>
  | EventOf<'CustomerSuspended'>
  | EventOf<'CustomerActivated'>
  | EventOf<'CustomerCancelled'>
  | EventOf<'CustomerPlanChanged'>
  | EventOf<'CustomerProfileChanged'>
  | EventOf<'DomainAdded'>
  | EventOf<'DomainVerified'>
  | EventOf<'CustomerQuotasChanged'>;

export type CustomerStatus = 'unregistered' | 'active' | 'suspended' | 'cancelled';
/** 'rotated': replaced, and valid until its `graceEndsAt`. */
export type ApiKeyStatus = 'active' | 'rotated' | 'revoked';

export interface ApiKeyState {
  prefix: string;
  keyHash: string;
  scopes: readonly Scope[];
  status: ApiKeyStatus;
  name: string | null;
  graceEndsAt: string | null;
  kind: ApiKeyKind;
}

export interface CustomerState {
  status: CustomerStatus;
  customerId: string | null;
  plan: Plan | null;
  /** The operator's quotas; null in a window means the plan's. */
  quotaOverride: OtpQuotas;
  keys: ReadonlyMap<string, ApiKeyState>;
  /** The domains it may send from, by name: `fromAddressUsesVerifiedDomain` reads them. */
  domains: ReadonlyMap<string, DomainState>;
}

const initialState = (): CustomerState => ({
  status: 'unregistered',
  customerId: null,
  plan: null,
  quotaOverride: { daily: null, monthly: null },
  keys: new Map(),
  domains: new Map(),
});

function withKey(state: CustomerState, keyId: string, change: (key: ApiKeyState) => ApiKeyState): CustomerState {
  const key = state.keys.get(keyId);
  return key ? { ...state, keys: new Map(state.keys).set(keyId, change(key)) } : state;
}

function evolve(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered':
      return { ...state, status: 'active', customerId: event.data.customerId, plan: event.data.plan };
    case 'ApiKeyIssued': {
      const { keyId, prefix, keyHash, scopes, name, kind } = event.data;
      const key: ApiKeyState = { prefix, keyHash, scopes, status: 'active', name: name ?? null, graceEndsAt: null, kind };
      return { ...state, keys: new Map(state.keys).set(keyId, key) };
    }
    case 'ApiKeyRotated': {
      const { keyId, newKeyId, prefix, keyHash, scopes, name, graceEndsAt } = event.data;
      const old = state.keys.get(keyId);
      if (!old) return state;
      const keys = new Map(state.keys)
        .set(keyId, { ...old, status: 'rotated', graceEndsAt })
        .set(newKeyId, { prefix, keyHash, scopes, status: 'active', name: name ?? null, graceEndsAt: null, kind: old.kind });
      return { ...state, keys };
    }
    case 'ApiKeyRevoked':
      return withKey(state, event.data.keyId, (key) => ({ ...key, status: 'revoked', graceEndsAt: null }));
    case 'CustomerSuspended':
      return { ...state, status: 'suspended' };
    case 'CustomerActivated':
      return { ...state, status: 'active' };
    case 'CustomerCancelled':
      return { ...state, status: 'cancelled' };
    case 'CustomerPlanChanged':
      return { ...state, plan: event.data.plan };
    // Names and addresses decide nothing about keys: the read model keeps them.
    case 'CustomerProfileChanged':
      return state;
    case 'DomainAdded': {
      const { domain, recordName, recordValue, addedAt } = event.data;
      const added: DomainState = { domain, recordName, recordValue, status: 'pending', addedAt, verifiedAt: null };
      return { ...state, domains: new Map(state.domains).set(domain, added) };
    }
    case 'DomainVerified': {
      const known = state.domains.get(event.data.domain);
      if (!known) return state;
      const verified: DomainState = { ...known, status: 'verified', verifiedAt: event.data.verifiedAt };
      return { ...state, domains: new Map(state.domains).set(known.domain, verified) };
    }
    case 'CustomerQuotasChanged':
      return { ...state, quotaOverride: { daily: event.data.daily, monthly: event.data.monthly } };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

/** Whether the key lets its holder in at `now`: active, or rotated and still inside its grace. */
export function keyIsLive(key: ApiKeyState, now: Date): boolean {
  if (key.status === 'active') return true;
  return key.status === 'rotated' && key.graceEndsAt !== null && now.getTime() < Date.parse(key.graceEndsAt);
}

/**
 * The customer stream folded: its status and its keys. Written once for both
 * sides: the customer decider decides on it (contracts holds no decisions, so
 * the decider adds `decide` in the command service), and the API-key check on
 * either side authorizes with it, so "which keys are valid" has one answer.
 * Both fold with this `evolve`, so a process keeps one cached state per
 * customer stream for both.
 */
export const customerFold = { initialState, evolve };
