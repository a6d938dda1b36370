import type { EventOf } from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';

export type RecordLogin = {
  type: 'RecordLogin';
  userId: string;
  customerId: string;
  email: string;
  emailKey: string;
  sessionId: string;
  challengeId: string;
  now: Date;
};

/** The user's own change to their profile; a field left out stays as it is, metadata is replaced whole. */
export type UpdateProfile = {
  type: 'UpdateProfile';
  userId: string;
  name?: string;
  metadata?: Record<string, JsonValue>;
  now: Date;
};

export type UserCommand = RecordLogin | UpdateProfile;
export type UserEvent = EventOf<'UserCreated'> | EventOf<'UserLoggedIn'> | EventOf<'UserProfileUpdated'>;
type JsonValue = NonNullable<EventOf<'UserProfileUpdated'>['data']['metadata']>[string];

export interface UserState {
  created: boolean;
  lastSessionId: string | null;
  email: string | null;
  createdAt: string | null;
  lastLoginAt: string | null;
  name: string | null;
  metadata: Record<string, JsonValue>;
}

const initialState = (): UserState => ({
  created: false,
  lastSessionId: null,
  email: null,
  createdAt: null,
  lastLoginAt: null,
  name: null,
  metadata: {},
});

function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserCreated':
      return { ...state, created: true, email: event.data.email, createdAt: event.data.createdAt };
    case 'UserLoggedIn':
      return { ...state, lastSessionId: event.data.sessionId, lastLoginAt: event.data.loggedInAt };
    case 'UserProfileUpdated':
      return { ...state, name: event.data.name ?? state.name, metadata: event.data.metadata ?? state.metadata };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

// Creation is decided from this stream, not from OtpVerified.newUser: if the
// user stream write after a verification was lost, the next login still
// creates the user, and a repeated newUser can never create it twice.
function recordLogin(command: RecordLogin, state: UserState): UserEvent[] {
  const { userId, customerId, email, emailKey, sessionId, challengeId, now } = command;
  // The same session already recorded: a retry after a successful append.
  if (state.lastSessionId === sessionId) return [];
  const at = now.toISOString();
  const login: UserEvent = { type: 'UserLoggedIn', data: { userId, sessionId, challengeId, loggedInAt: at } };
  if (state.created) return [login];
  return [{ type: 'UserCreated', data: { userId, customerId, email, emailKey, createdAt: at } }, login];
}

// Canonical order is not needed: the same object sent twice serialises the same way from the same parse.
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A change that changes nothing records nothing, so a retried PATCH does not add an event. */
function updateProfile(command: UpdateProfile, state: UserState): UserEvent[] {
  const { userId, name, metadata, now } = command;
  if (!state.created) throw new DomainError('user_not_found', 'no such user', { userId });
  const data: EventOf<'UserProfileUpdated'>['data'] = { userId, updatedAt: now.toISOString() };
  if (name !== undefined && name !== state.name) data.name = name;
  if (metadata !== undefined && !sameJson(metadata, state.metadata)) data.metadata = metadata;
  if (data.name === undefined && data.metadata === undefined) return [];
  return [{ type: 'UserProfileUpdated', data }];
}

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState,
  evolve,
  decide: (command, state) => {
    switch (command.type) {
      case 'RecordLogin':
        return recordLogin(command, state);
      case 'UpdateProfile':
        return updateProfile(command, state);
      default: {
        const unknown: never = command;
        return unknown;
      }
    }
  },
};
