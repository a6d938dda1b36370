import type { Plan, Scope } from '../ids';
import type { EventOf } from '../events/registry';

export type CustomerEvent = EventOf<'CustomerRegistered'> | EventOf<'ApiKeyIssued'>;

// 'suspended' and 'revoked' have no events yet; the states exist so the rules
// that depend on them are written once, before those events arrive.
export type CustomerStatus = 'unregistered' | 'active' | 'suspended';
export type ApiKeyStatus = 'active' | 'revoked';

export interface ApiKeyState {
  prefix: string;
  keyHash: string;
  scopes: readonly Scope[];
  status: ApiKeyStatus;
}

export interface CustomerState {
  status: CustomerStatus;
  customerId: string | null;
  plan: Plan | null;
  keys: ReadonlyMap<string, ApiKeyState>;
}

const initialState = (): CustomerState => ({
  status: 'unregistered',
  customerId: null,
  plan: null,
  keys: new Map(),
});

function evolve(state: CustomerState, event: CustomerEvent): CustomerState {
  switch (event.type) {
    case 'CustomerRegistered':
      return { ...state, status: 'active', customerId: event.data.customerId, plan: event.data.plan };
    case 'ApiKeyIssued': {
      const { keyId, prefix, keyHash, scopes } = event.data;
      const keys = new Map(state.keys).set(keyId, { prefix, keyHash, scopes, status: 'active' });
      return { ...state, keys };
    }
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
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
