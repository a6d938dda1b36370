import { customerFold, type CustomerEvent, type CustomerState, type Plan, type Scope } from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';

// A cap keeps a leaked admin key from minting an unbounded number of keys and
// keeps the write-side key index per tenant small.
export const MAX_ACTIVE_API_KEYS = 20;

export type RegisterCustomer = {
  type: 'RegisterCustomer';
  customerId: string;
  name: string;
  email: string;
  plan: Plan;
  now: Date;
};

export type IssueApiKey = {
  type: 'IssueApiKey';
  customerId: string;
  keyId: string;
  prefix: string;
  keyHash: string;
  scopes: readonly Scope[];
  now: Date;
};

export type CustomerCommand = RegisterCustomer | IssueApiKey;
export type { CustomerEvent, CustomerState } from '@otp/contracts';

function register(command: RegisterCustomer, state: CustomerState): CustomerEvent[] {
  if (state.status !== 'unregistered') {
    throw new DomainError('customer_exists', 'customer is already registered', { customerId: command.customerId });
  }
  const { customerId, name, email, plan, now } = command;
  return [{ type: 'CustomerRegistered', data: { customerId, name, email, plan, registeredAt: now.toISOString() } }];
}

function issueApiKey(command: IssueApiKey, state: CustomerState): CustomerEvent[] {
  const { customerId, keyId, prefix, keyHash, now } = command;
  if (state.status === 'unregistered') {
    throw new DomainError('customer_not_found', 'customer is not registered', { customerId });
  }
  if (state.status !== 'active') {
    throw new DomainError('customer_inactive', 'customer is not active', { customerId, status: state.status });
  }
  if (state.keys.has(keyId)) throw new DomainError('key_exists', 'api key id already used', { keyId });
  // Deduplicated so scope checks and read models never see the same grant twice.
  const scopes = [...new Set(command.scopes)];
  if (scopes.length === 0) throw new DomainError('no_scopes', 'an api key needs at least one scope');
  const active = [...state.keys.values()].filter((key) => key.status === 'active').length;
  if (active >= MAX_ACTIVE_API_KEYS) {
    throw new DomainError('too_many_keys', 'active api key limit reached', { limit: MAX_ACTIVE_API_KEYS });
  }
  return [{ type: 'ApiKeyIssued', data: { customerId, keyId, prefix, keyHash, scopes, issuedAt: now.toISOString() } }];
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
      default: {
        const unknown: never = command;
        return unknown;
      }
    }
  },
};
