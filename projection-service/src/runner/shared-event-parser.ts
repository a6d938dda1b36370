import type { RecordedEvent } from '@otp/platform/event-store';
import { toProjectedEvent, type ProjectedEvent } from '../projected-event';

/**
 * Parses each stored event once for projections that read the log each on its own: they run
 * on one thread and move through the same positions at about the same time, so the second
 * and third read of a position find its validated event here instead of parsing it again
 * (zod over data and metadata, the largest part of reading). Bounded; the oldest go first.
 * Projectors are pure and never change the event they are given, so sharing it is safe. An
 * event that fails to parse is not kept: each projection reports it on its own.
 */
export function sharedEventParser(capacity = 4_096): (recorded: RecordedEvent) => ProjectedEvent {
  const parsed = new Map<bigint, { id: string; hash: string; event: ProjectedEvent }>();
  return (recorded) => {
    const hit = parsed.get(recorded.position);
    // The same position in another history holds another event: its id and hash say so.
    if (hit && hit.id === recorded.id && hit.hash === recorded.metadata.hash) return hit.event;
    const event = toProjectedEvent(recorded);
    parsed.set(recorded.position, { id: recorded.id, hash: recorded.metadata.hash, event });
    if (parsed.size > capacity) parsed.delete(parsed.keys().next().value!);
    return event;
  };
}
