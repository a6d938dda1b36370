import {
  customerFold,
  kindOfPrefix,
  PUBLISHABLE_SCOPES,
  type ApiKeyKind,
  type CustomerEvent,
  type CustomerState,
  type Plan,
  type Scope,
} from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';

// A cap keeps a leaked admin key from minting an unbounded number of keys and
// keeps the write-side key index per tenant small.
export const MAX_ACTIVE_API_KEYS = 20;
/** Longer than this and a rotation is a second key kept alive, not a hand-over. */
export const MAX_GRACE_SECONDS = 30 * 86_400;

export type RegisterCustomer = {
  type: 'RegisterCustomer';
  customerId: string;
  name: string;
  email: string;
  plan: Plan;
  /** Given at self-service signup. */
  companyName?: string;
  now: Date;
};

export type IssueApiKey = {
  type: 'IssueApiKey';
  customerId: string;
  keyId: string;
  prefix: string;
  keyHash: string;
  scopes: readonly Scope[];
  name?: string;
  /** Secret unless said: the prefix drawn for the key must name the same kind. */
  kind?: ApiKeyKind;
  now: Date;
};

export type RotateApiKey = {
  type: 'RotateApiKey';
  customerId: string;
  keyId: string;
  newKeyId: string;
  prefix: string;
  keyHash: string;
  graceSeconds: number;
  now: Date;
};

export type RevokeApiKey = { type: 'RevokeApiKey'; customerId: string; keyId: string; now: Date };

export type ChangeCustomerStatus = {
  type: 'SuspendCustomer' | 'ActivateCustomer' | 'CancelCustomer';
  customerId: string;
  reason: string;
  now: Date;
};

export type ChangePlan = { type: 'ChangePlan'; customerId: string; plan: Plan; now: Date };

/** The tenant's own account details; each field absent keeps its value. */
export type ChangeProfile = {
  type: 'ChangeProfile';
  customerId: string;
  name?: string | undefined;
  companyName?: string | undefined;
  contactEmail?: string | undefined;
  now: Date;
};

/** The operator's OTP quotas for a customer; null in a window is the plan's. */
export type ChangeQuotas = { type: 'ChangeQuotas'; customerId: string; daily: number | null; monthly: number | null; now: Date };

export type CustomerCommand =
  RegisterCustomer | IssueApiKey | RotateApiKey | RevokeApiKey | ChangeCustomerStatus | ChangePlan | ChangeProfile | ChangeQuotas;
export type { CustomerEvent, CustomerState } from '@otp/contracts';

function register(command: RegisterCustomer, state: CustomerState): CustomerEvent[] {
  if (state.status !== 'unregistered') {
    throw new DomainError('customer_exists', 'customer is already registered', { customerId: command.customerId });
  }
  const { customerId, name, email, plan, now } = command;
  const company = command.companyName !== undefined ? { companyName: command.companyName } : {};
  return [{ type: 'CustomerRegistered', data: { customerId, name, email, plan, registeredAt: now.toISOString(), ...company } }];
}

function requireRegistered(state: CustomerState, customerId: string): void {
  if (state.status === 'unregistered') {
    throw new DomainError('customer_not_found', 'customer is not registered', { customerId });
  }
}

export function requireActive(state: CustomerState, customerId: string): void {
  requireRegistered(state, customerId);
  if (state.status !== 'active') {
    throw new DomainError('customer_inactive', 'customer is not active', { customerId, status: state.status });
  }
}

function issueApiKey(command: IssueApiKey, state: CustomerState): CustomerEvent[] {
  const { customerId, keyId, prefix, keyHash, now } = command;
  requireActive(state, customerId);
  if (state.keys.has(keyId)) throw new DomainError('key_exists', 'api key id already used', { keyId });
  // Deduplicated so scope checks and read models never see the same grant twice.
  const scopes = [...new Set(command.scopes)];
  if (scopes.length === 0) throw new DomainError('no_scopes', 'an api key needs at least one scope');
  const kind = command.kind ?? 'secret';
  requirePrefixOfKind(prefix, kind);
  // A publishable key is in a web page for anyone to copy: it may ask for codes and check them, nothing more.
  if (kind === 'publishable' && scopes.some((scope) => !PUBLISHABLE_SCOPES.includes(scope))) {
    throw new DomainError('publishable_scopes', 'a publishable key may only hold otp:write', { scopes });
  }
  const active = [...state.keys.values()].filter((key) => key.status === 'active').length;
  if (active >= MAX_ACTIVE_API_KEYS) {
    throw new DomainError('too_many_keys', 'active api key limit reached', { limit: MAX_ACTIVE_API_KEYS });
  }
  const named = command.name !== undefined ? { name: command.name } : {};
  return [{ type: 'ApiKeyIssued', data: { customerId, keyId, prefix, keyHash, scopes, issuedAt: now.toISOString(), ...named, kind } }];
}

/** The use case draws the key; a prefix of the other kind would be a key that lies about what it may do. */
function requirePrefixOfKind(prefix: string, kind: ApiKeyKind): void {
  if (kindOfPrefix(prefix) !== kind) throw new Error(`a ${kind} key was drawn with the prefix of another kind`);
}

function rotateApiKey(command: RotateApiKey, state: CustomerState): CustomerEvent[] {
  const { customerId, keyId, newKeyId, prefix, keyHash, graceSeconds, now } = command;
  requireActive(state, customerId);
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
    throw new DomainError('invalid_grace', `the grace must be 0 to ${MAX_GRACE_SECONDS} whole seconds`, { graceSeconds });
  }
  const key = state.keys.get(keyId);
  if (!key) throw new DomainError('key_not_found', 'no such api key', { keyId });
  // A key already rotated has its replacement; rotating it again would leave two heirs.
  if (key.status !== 'active') throw new DomainError('key_not_active', `the api key is ${key.status}`, { keyId, status: key.status });
  if (state.keys.has(newKeyId)) throw new DomainError('key_exists', 'api key id already used', { keyId: newKeyId });
  requirePrefixOfKind(prefix, key.kind);
  const graceEndsAt = new Date(now.getTime() + graceSeconds * 1000).toISOString();
  const named = key.name !== null ? { name: key.name } : {};
  const rotatedAt = now.toISOString();
  return [
    {
      type: 'ApiKeyRotated',
      data: { customerId, keyId, newKeyId, prefix, keyHash, scopes: [...key.scopes], ...named, kind: key.kind, rotatedAt, graceEndsAt },
    },
  ];
}

function revokeApiKey(command: RevokeApiKey, state: CustomerState): CustomerEvent[] {
  const { customerId, keyId, now } = command;
  requireRegistered(state, customerId);
  const key = state.keys.get(keyId);
  if (!key) throw new DomainError('key_not_found', 'no such api key', { keyId });
  // Revoking twice is asking for what already holds.
  if (key.status === 'revoked') return [];
  const otherAdmins = [...state.keys].filter(
    ([id, other]) => id !== keyId && other.status === 'active' && other.scopes.includes('customer:admin'),
  );
  // Keys in their grace do not count: they stop on their own, and then nobody could manage the account.
  if (key.status === 'active' && key.scopes.includes('customer:admin') && otherAdmins.length === 0) {
    throw new DomainError('last_admin_key', 'this is the last active key with customer:admin; issue another first', { keyId });
  }
  return [{ type: 'ApiKeyRevoked', data: { customerId, keyId, revokedAt: now.toISOString() } }];
}

function changeStatus(command: ChangeCustomerStatus, state: CustomerState): CustomerEvent[] {
  const { customerId, reason, now } = command;
  requireRegistered(state, customerId);
  const at = now.toISOString();
  // Asking for the status the customer already has records nothing: the operator may safely retry.
  switch (command.type) {
    case 'SuspendCustomer':
      refuseIfCancelled(state, customerId);
      return state.status === 'suspended' ? [] : [{ type: 'CustomerSuspended', data: { customerId, reason, suspendedAt: at } }];
    case 'ActivateCustomer':
      refuseIfCancelled(state, customerId);
      return state.status === 'active' ? [] : [{ type: 'CustomerActivated', data: { customerId, reason, activatedAt: at } }];
    case 'CancelCustomer':
      return state.status === 'cancelled' ? [] : [{ type: 'CustomerCancelled', data: { customerId, reason, cancelledAt: at } }];
  }
}

function refuseIfCancelled(state: CustomerState, customerId: string): void {
  if (state.status === 'cancelled') throw new DomainError('customer_cancelled', 'the customer is cancelled', { customerId });
}

function changePlan(command: ChangePlan, state: CustomerState): CustomerEvent[] {
  const { customerId, plan, now } = command;
  requireRegistered(state, customerId);
  refuseIfCancelled(state, customerId);
  const previousPlan = state.plan;
  if (previousPlan === null || previousPlan === plan) return [];
  return [{ type: 'CustomerPlanChanged', data: { customerId, plan, previousPlan, changedAt: now.toISOString() } }];
}

function changeProfile(command: ChangeProfile, state: CustomerState): CustomerEvent[] {
  const { customerId, now } = command;
  requireActive(state, customerId);
  const fields = Object.fromEntries(
    (['name', 'companyName', 'contactEmail'] as const).flatMap((field) => (command[field] !== undefined ? [[field, command[field]]] : [])),
  );
  if (Object.keys(fields).length === 0) return [];
  return [{ type: 'CustomerProfileChanged', data: { customerId, ...fields, changedAt: now.toISOString() } }];
}

function changeQuotas(command: ChangeQuotas, state: CustomerState): CustomerEvent[] {
  const { customerId, daily, monthly, now } = command;
  requireRegistered(state, customerId);
  refuseIfCancelled(state, customerId);
  for (const quota of [daily, monthly]) {
    if (quota !== null && (!Number.isInteger(quota) || quota < 0)) {
      throw new DomainError('invalid_quota', 'a quota is a whole number of requests, 0 or more, or null for the plan', { quota });
    }
  }
  // The same quotas again change nothing: the operator may safely retry.
  if (state.quotaOverride.daily === daily && state.quotaOverride.monthly === monthly) return [];
  return [{ type: 'CustomerQuotasChanged', data: { customerId, daily, monthly, changedAt: now.toISOString() } }];
}

// The fold is shared with the API-key check (contracts): the rule for which
// keys are valid is written once, and both read one cached state per stream.
export const customerDecider: Decider<CustomerCommand, CustomerState, CustomerEvent> = {
  ...customerFold,
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterCustomer':
        return register(command, state);
      case 'IssueApiKey':
        return issueApiKey(command, state);
      case 'RotateApiKey':
        return rotateApiKey(command, state);
      case 'RevokeApiKey':
        return revokeApiKey(command, state);
      case 'SuspendCustomer':
      case 'ActivateCustomer':
      case 'CancelCustomer':
        return changeStatus(command, state);
      case 'ChangePlan':
        return changePlan(command, state);
      case 'ChangeProfile':
        return changeProfile(command, state);
      case 'ChangeQuotas':
        return changeQuotas(command, state);
      default: {
        const unknown: never = command;
        return unknown;
      }
    }
  },
};
