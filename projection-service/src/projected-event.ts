import { z } from 'zod';
import { EventMetadata, parseEvent, type DomainEvent } from '@otp/contracts';
import type { RecordedEvent } from '@otp/platform/event-store';

/** Metadata as read back: the store always adds the chain hash. */
export const StoredEventMetadata = EventMetadata.required({ hash: true });
export type StoredEventMetadata = z.infer<typeof StoredEventMetadata>;

/** What projectors see: a validated, upcast domain event with where and when it was stored. */
export type ProjectedEvent = DomainEvent & {
  eventId: string;
  streamName: string;
  revision: bigint;
  position: bigint;
  metadata: StoredEventMetadata;
};

/**
 * An event this build cannot project (unknown type, invalid data or metadata).
 * The runner stops on it rather than skipping: a skipped event would leave
 * read models silently different from the log, and stopping keeps the
 * checkpoint just before it, so a fixed build resumes exactly there.
 */
export class UnprojectableEventError extends Error {
  override readonly name = 'UnprojectableEventError';
  readonly position: bigint;
  readonly eventId: string;
  readonly eventType: string;
  readonly streamName: string;

  constructor(event: RecordedEvent, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot project ${event.type} ${event.id} at position ${event.position} in ${event.streamName}: ${reason}`, { cause });
    this.position = event.position;
    this.eventId = event.id;
    this.eventType = event.type;
    this.streamName = event.streamName;
  }
}

export function toProjectedEvent(recorded: RecordedEvent): ProjectedEvent {
  try {
    const metadata = StoredEventMetadata.parse(recorded.metadata);
    const event = parseEvent(recorded.type, recorded.data, metadata.schemaVersion);
    return {
      ...event,
      eventId: recorded.id,
      streamName: recorded.streamName,
      revision: recorded.revision,
      position: recorded.position,
      metadata,
    };
  } catch (error) {
    throw new UnprojectableEventError(recorded, error);
  }
}
