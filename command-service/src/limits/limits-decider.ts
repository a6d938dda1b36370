import type { EventOf } from '@otp/contracts';
import type { Decider } from '../handling/decider';

export type LimitEvent = EventOf<'RateLimitExceeded'> | EventOf<'QuotaExceeded'>;
/** The latest window recorded per limited thing of one customer (`rate:<limit>:<subject>`, `quota:<window>`). */
export type LimitsState = ReadonlyMap<string, string>;

export type RecordRateLimitExceeded = { type: 'RecordRateLimitExceeded'; data: EventOf<'RateLimitExceeded'>['data'] };
export type RecordQuotaExceeded = { type: 'RecordQuotaExceeded'; data: EventOf<'QuotaExceeded'>['data'] };
export type LimitCommand = RecordRateLimitExceeded | RecordQuotaExceeded;

/** What one window of one limit is recorded under. */
export const limitSubject = (command: LimitCommand): string =>
  command.type === 'RecordRateLimitExceeded' ? `rate:${command.data.limit}:${command.data.subject}` : `quota:${command.data.window}`;

const subjectOf = (event: LimitEvent): string =>
  event.type === 'RateLimitExceeded' ? `rate:${event.data.limit}:${event.data.subject}` : `quota:${event.data.window}`;

/**
 * A limit's refusals are recorded once per window, not once per request: a
 * flood of refused requests costs one event. Each process skips what it has
 * already recorded (limit-recorder.ts); this stream (`limits-<customer>`)
 * decides between processes. Windows only move forward, so the latest one
 * per subject is all the state needs.
 */
export const limitsDecider: Decider<LimitCommand, LimitsState, LimitEvent> = {
  initialState: () => new Map(),
  evolve: (state, event) => {
    const subject = subjectOf(event);
    const last = state.get(subject);
    return last !== undefined && last >= event.data.windowStart ? state : new Map(state).set(subject, event.data.windowStart);
  },
  decide: (command, state) => {
    const last = state.get(limitSubject(command));
    if (last !== undefined && last >= command.data.windowStart) return [];
    return command.type === 'RecordRateLimitExceeded'
      ? [{ type: 'RateLimitExceeded', data: command.data }]
      : [{ type: 'QuotaExceeded', data: command.data }];
  },
};
