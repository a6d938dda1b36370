import type { RecordedEvent } from '@otp/platform/event-store';
import type { BusMessage } from '@otp/platform/message-bus';

/** The topic every stored event is relayed to. */
export const RELAY_TOPIC = 'otp-auth.events';

/** The relay's checkpoint in the document store, next to the read models' own. */
export const RELAY_CHECKPOINT = 'kafka-relay';

/** Stored with its checkpoint; raising it (a new message shape) publishes the log again from the first event. */
export const RELAY_VERSION = 1;

/**
 * The message value consumers parse. `position` is a decimal string because
 * event-store commit positions are 64-bit log offsets that a JSON number
 * cannot hold exactly; a stream's `revision` stays far below 2^53 (streams are
 * one customer, one challenge, one session), so it is a plain number.
 */
export interface RelayedEvent {
  id: string;
  type: string;
  streamName: string;
  revision: number;
  position: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

/**
 * One stored event as a bus message. The key is the tenant, so a consumer
 * group sees each tenant's events in commit order; events that belong to no
 * tenant are keyed by their stream, which keeps at least their stream's order.
 * The `event-id` header lets consumers drop the duplicates at-least-once
 * delivery brings without parsing the value.
 */
export function toRelayMessage(event: RecordedEvent): BusMessage {
  const tenantId =
    typeof event.metadata['tenantId'] === 'string' && event.metadata['tenantId'] !== '' ? event.metadata['tenantId'] : undefined;
  const value: RelayedEvent = {
    id: event.id,
    type: event.type,
    streamName: event.streamName,
    revision: Number(event.revision),
    position: event.position.toString(),
    data: event.data,
    metadata: event.metadata,
  };
  return {
    key: tenantId ?? event.streamName,
    value: JSON.stringify(value),
    headers: {
      'content-type': 'application/json',
      'event-id': event.id,
      'event-type': event.type,
      ...(tenantId ? { 'tenant-id': tenantId } : {}),
    },
  };
}
