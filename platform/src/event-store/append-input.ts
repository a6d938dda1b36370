import { DuplicateEventIdError, type EventToAppend } from './port';

/**
 * Rejects appends no adapter could store sensibly. An id repeated inside one append
 * can never be "the same consecutive run" of stored events, so it is a duplicate up front.
 */
export function assertAppendable(streamName: string, events: readonly EventToAppend[]): void {
  if (streamName.length === 0) throw new RangeError('append: empty stream name');
  if (events.length === 0) throw new RangeError(`append to ${streamName}: at least one event is required`);
  const seen = new Set<string>();
  for (const event of events) {
    if (typeof event.id !== 'string' || event.id.length === 0) {
      throw new RangeError(`append to ${streamName}: every event needs an id`);
    }
    if (seen.has(event.id)) throw new DuplicateEventIdError(streamName, event.id);
    seen.add(event.id);
  }
}
