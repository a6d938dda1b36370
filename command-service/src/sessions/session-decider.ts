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

/**
 * A refresh token presented to get a new pair. The comparison is a function
 * of the stored hash, so the decider never sees the token and the use case
 * compares in constant time.
 */
export type RefreshSession = {
  type: 'RefreshSession';
  /** The calling tenant: another tenant's session is answered as no session at all. */
  customerId: string;
  tokenMatches: (storedHash: string) => boolean;
  newRefreshTokenHash: string;
  idleTtlSeconds: number;
  maxAgeSeconds: number;
  now: Date;
};

export type RevokeSession = { type: 'RevokeSession'; reason: 'logout'; now: Date };

export type SessionCommand = StartSession | RefreshSession | RevokeSession;
export type SessionEvent = EventOf<'SessionStarted'> | EventOf<'SessionRefreshed'> | EventOf<'SessionRevoked'>;

export type SessionStatus = 'none' | 'active' | 'revoked';

export interface SessionState {
  status: SessionStatus;
  sessionId: string | null;
  userId: string | null;
  customerId: string | null;
  startedAt: string | null;
  /** The one refresh token that may be exchanged now. */
  refreshTokenHash: string | null;
  /** Every token exchanged before: presenting one again is reuse, which ends the family. */
  retiredHashes: string[];
  /** Idle expiry: moved forward by each refresh. */
  expiresAt: string | null;
  revokedAt: string | null;
}

const initialState = (): SessionState => ({
  status: 'none',
  sessionId: null,
  userId: null,
  customerId: null,
  startedAt: null,
  refreshTokenHash: null,
  retiredHashes: [],
  expiresAt: null,
  revokedAt: null,
});

function evolve(state: SessionState, event: SessionEvent): SessionState {
  switch (event.type) {
    case 'SessionStarted': {
      const { sessionId, userId, customerId, startedAt, refreshTokenHash, expiresAt } = event.data;
      return { ...state, status: 'active', sessionId, userId, customerId, startedAt, refreshTokenHash, expiresAt };
    }
    case 'SessionRefreshed': {
      const retired = state.refreshTokenHash === null ? state.retiredHashes : [...state.retiredHashes, state.refreshTokenHash];
      return { ...state, refreshTokenHash: event.data.refreshTokenHash, retiredHashes: retired, expiresAt: event.data.expiresAt };
    }
    case 'SessionRevoked':
      return { ...state, status: 'revoked', revokedAt: event.data.revokedAt };
    default: {
      const unknown: never = event;
      return unknown;
    }
  }
}

const positiveSeconds = (seconds: number) => Number.isInteger(seconds) && seconds > 0;
const plusSeconds = (at: Date | string, seconds: number) => new Date(new Date(at).getTime() + seconds * 1000);

function start(command: StartSession, state: SessionState): SessionEvent[] {
  const { sessionId, userId, customerId, refreshTokenHash, ttlSeconds, now } = command;
  if (state.status !== 'none') throw new DomainError('session_exists', 'session already started', { sessionId });
  if (!positiveSeconds(ttlSeconds)) {
    throw new DomainError('invalid_ttl', 'session ttl must be a positive whole number of seconds', { ttlSeconds });
  }
  const expiresAt = plusSeconds(now, ttlSeconds).toISOString();
  return [
    {
      type: 'SessionStarted',
      data: { sessionId, userId, customerId, refreshTokenHash, startedAt: now.toISOString(), expiresAt },
    },
  ];
}

/** Whether the session may still be refreshed at `now`: before its idle expiry and before its absolute one. */
export function sessionLive(state: SessionState, now: Date, maxAgeSeconds: number): boolean {
  if (state.status !== 'active' || state.expiresAt === null || state.startedAt === null) return false;
  return now < new Date(state.expiresAt) && now < plusSeconds(state.startedAt, maxAgeSeconds);
}

// A token that is neither the session's current one nor a retired one is answered alike whether
// the session exists, was revoked or belongs to another tenant: a guessed secret for a session id
// (which access tokens carry as `sid`) tells nothing. Reuse is checked before expiry: a stolen
// token replayed after the session lapsed still tells the family it was stolen, and the event says so.
const NOT_A_TOKEN = 'not a current refresh token';

function refresh(command: RefreshSession, state: SessionState): SessionEvent[] {
  const sessionId = state.sessionId!;
  const { customerId, tokenMatches, newRefreshTokenHash, idleTtlSeconds, maxAgeSeconds, now } = command;
  if (!positiveSeconds(idleTtlSeconds) || !positiveSeconds(maxAgeSeconds)) {
    throw new DomainError('invalid_ttl', 'session lifetimes must be positive whole numbers of seconds', { idleTtlSeconds, maxAgeSeconds });
  }
  const ours = state.status !== 'none' && state.customerId === customerId;
  const retired = ours && state.retiredHashes.some(tokenMatches);
  const current = ours && state.refreshTokenHash !== null && tokenMatches(state.refreshTokenHash);
  if (!retired && !current) throw new DomainError('refresh_token_unknown', NOT_A_TOKEN);
  // Only a holder of the session's own token learns that it was revoked.
  if (state.status === 'revoked') throw new DomainError('session_revoked', 'the session was revoked', { sessionId });
  if (retired) {
    return [{ type: 'SessionRevoked', data: { sessionId, reason: 'refresh_token_reused', revokedAt: now.toISOString() } }];
  }
  if (!sessionLive(state, now, maxAgeSeconds)) throw new DomainError('session_expired', 'the session has expired', { sessionId });
  // The idle expiry moves forward, never past the absolute one.
  const absolute = plusSeconds(state.startedAt!, maxAgeSeconds);
  const idle = plusSeconds(now, idleTtlSeconds);
  const expiresAt = (idle < absolute ? idle : absolute).toISOString();
  return [
    { type: 'SessionRefreshed', data: { sessionId, refreshTokenHash: newRefreshTokenHash, refreshedAt: now.toISOString(), expiresAt } },
  ];
}

/** Logout: idempotent, so a second logout (or one after reuse ended the session) records nothing. */
function revoke(command: RevokeSession, state: SessionState): SessionEvent[] {
  if (state.status !== 'active') return [];
  return [{ type: 'SessionRevoked', data: { sessionId: state.sessionId!, reason: command.reason, revokedAt: command.now.toISOString() } }];
}

export const sessionDecider: Decider<SessionCommand, SessionState, SessionEvent> = {
  initialState,
  evolve,
  decide: (command, state) => {
    switch (command.type) {
      case 'StartSession':
        return start(command, state);
      case 'RefreshSession':
        return refresh(command, state);
      case 'RevokeSession':
        return revoke(command, state);
      default: {
        const unknown: never = command;
        return unknown;
      }
    }
  },
};
