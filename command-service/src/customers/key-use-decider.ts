import type { EventOf } from '@otp/contracts';
import type { Decider } from '../handling/decider';

export type KeyUseEvent = EventOf<'ApiKeyUsed'>;
/** The last minute recorded per key of one customer. */
export type KeyUseState = ReadonlyMap<string, string>;

export type RecordKeyUse = { type: 'RecordKeyUse'; customerId: string; keyId: string; now: Date };

/** The start of `now`'s minute: last use is kept to the minute, so a busy key adds one event a minute. */
export const minuteOf = (now: Date): string => new Date(Math.floor(now.getTime() / 60_000) * 60_000).toISOString();

/**
 * A key's use is recorded once per minute across every instance: each process
 * skips what it already recorded this minute (key-use-recorder.ts), and this
 * stream decides between processes, so two instances add one event, not two.
 */
export const keyUseDecider: Decider<RecordKeyUse, KeyUseState, KeyUseEvent> = {
  initialState: () => new Map(),
  evolve: (state, event) => new Map(state).set(event.data.keyId, event.data.minute),
  decide: ({ customerId, keyId, now }, state) => {
    const minute = minuteOf(now);
    const last = state.get(keyId);
    if (last !== undefined && last >= minute) return [];
    return [{ type: 'ApiKeyUsed', data: { customerId, keyId, minute } }];
  },
};
