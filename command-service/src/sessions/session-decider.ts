import type { EventOf } from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';

export type StartSession = {
  type: 'StartSession';
  sessionId: string;
  userId: string;
  customerId: string;
  refreshTokenHash: string;
  ttlSeconds: number;
  now: Date;
};

// Rotation and revocation will join this union with their own events.
export type SessionCommand = StartSession;
export type SessionEvent = EventOf<'SessionStarted'>;

export type SessionStatus = 'none' | 'active';

export interface SessionState {
  status: SessionStatus;
  // Kept although nothing reads them yet: rotation will compare the presented
  // refresh token with the current hash and check expiry.
  refreshTokenHash: string | null;
  expiresAt: string | null;
}

const initialState = (): SessionState => ({ status: 'none', refreshTokenHash: null, expiresAt: null });

function evolve(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'SessionStarted':
      return { status: 'active', refreshTokenHash: event.data.refreshTokenHash, expiresAt: event.data.expiresAt };
    default: {
      const unknown: never = event.type;
      return unknown;
    }
  }
}

function start(command: StartSession, state: SessionState): SessionEvent[] {
  const { sessionId, userId, customerId, refreshTokenHash, ttlSeconds, now } = command;
  if (state.status !== 'none') throw new DomainError('session_exists', 'session already started', { sessionId });
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new DomainError('invalid_ttl', 'session ttl must be a positive whole number of seconds', { ttlSeconds });
  }
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
  return [
    {
      type: 'SessionStarted',
      data: { sessionId, userId, customerId, refreshTokenHash, startedAt: now.toISOString(), expiresAt },
    },
  ];
}

export const sessionDecider: Decider<SessionCommand, SessionState, SessionEvent> = {
  initialState,
  evolve,
  decide: (command, state) => start(command, state),
};
