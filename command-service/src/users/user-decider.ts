import type { EventOf } from '@otp/contracts';
import type { Decider } from '../handling/decider';

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

export type UserCommand = RecordLogin;
export type UserEvent = EventOf<'UserCreated'> | EventOf<'UserLoggedIn'>;

export interface UserState {
  created: boolean;
  lastSessionId: string | null;
}

const initialState = (): UserState => ({ created: false, lastSessionId: null });

function evolve(state: UserState, event: UserEvent): UserState {
  switch (event.type) {
    case 'UserCreated':
      return { ...state, created: true };
    case 'UserLoggedIn':
      return { ...state, lastSessionId: event.data.sessionId };
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

export const userDecider: Decider<UserCommand, UserState, UserEvent> = {
  initialState,
  evolve,
  decide: (command, state) => recordLogin(command, state),
};
