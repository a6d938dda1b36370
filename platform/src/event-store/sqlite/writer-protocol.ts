import Database from 'better-sqlite3';
import { DuplicateEventIdError, WrongExpectedRevisionError, type AppendResult, type ExpectedRevision } from '../port';
import type { PendingAppend } from './batch-writer';
import type { Settled } from './group-commit';

/** What the store sends its writer thread. */
export type ToWriter = { type: 'commit'; id: number; batch: PendingAppend[] } | { type: 'close' };

/** What the writer thread answers. `failed`: the batch's transaction failed as a whole. */
export type FromWriter =
  { type: 'committed'; id: number; results: WireSettled[] } | { type: 'failed'; id: number; error: WireError } | { type: 'closed' };

/**
 * Errors cross the thread boundary as plain data: structured clone keeps an
 * Error's message but not its class, and callers branch on the class
 * (a conflict is retried, a duplicate id is not).
 */
export type WireError =
  | { kind: 'wrong_expected_revision'; streamName: string; expected: ExpectedRevision; actual: bigint | 'no_stream' }
  | { kind: 'duplicate_event_id'; streamName: string; eventId: string }
  | { kind: 'sqlite'; message: string; code: string }
  | { kind: 'other'; name: string; message: string };

export type WireSettled = { ok: true; value: AppendResult } | { ok: false; error: WireError };

export function toWire(error: unknown): WireError {
  if (error instanceof WrongExpectedRevisionError) {
    return { kind: 'wrong_expected_revision', streamName: error.streamName, expected: error.expected, actual: error.actual };
  }
  if (error instanceof DuplicateEventIdError) return { kind: 'duplicate_event_id', streamName: error.streamName, eventId: error.eventId };
  if (error instanceof Database.SqliteError) return { kind: 'sqlite', message: error.message, code: error.code };
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: 'other', name: e.name, message: e.message };
}

export function fromWire(error: WireError): Error {
  switch (error.kind) {
    case 'wrong_expected_revision':
      return new WrongExpectedRevisionError(error.streamName, error.expected, error.actual);
    case 'duplicate_event_id':
      return new DuplicateEventIdError(error.streamName, error.eventId);
    case 'sqlite':
      return new Database.SqliteError(error.message, error.code);
    case 'other': {
      const e = new Error(error.message);
      e.name = error.name;
      return e;
    }
    default: {
      const unknown: never = error;
      return new Error(`unknown writer error ${JSON.stringify(unknown)}`);
    }
  }
}

export const settledToWire = (s: Settled<AppendResult>): WireSettled => (s.ok ? s : { ok: false, error: toWire(s.error) });
export const settledFromWire = (s: WireSettled): Settled<AppendResult> => (s.ok ? s : { ok: false, error: fromWire(s.error) });
