import { collections, customerDocumentWrites, parseEvent, streams, type CustomerDocument, type DomainEvent } from '@otp/contracts';
import { applyWriteOp, assertValidWriteOp, touchedKey, type TouchedDocuments } from '@otp/platform/document-store';
import type { EventStore, RecordedEvent } from '@otp/platform/event-store';

/**
 * The customer as it was at `asOf`: its stream's events that occurred up to then (inclusive),
 * given the writes the customers projector makes for them (`customerDocumentWrites`, the one set
 * of rules of both) and applied in memory as the document store applies them. Read from the
 * event store, not the customers read model, which only knows now. Only the customer stream is
 * read: a key's last use (ApiKeyUsed) is on the key-use stream, so no key has a `lastUsedAt`
 * here. Undefined when the customer was not registered by then.
 */
export async function customerAsOf(
  eventStore: Pick<EventStore, 'readStream'>,
  customerId: string,
  asOf: Date,
): Promise<CustomerDocument | undefined> {
  const recorded = await eventStore.readStream(streams.customer(customerId));
  const touched: TouchedDocuments = new Map();
  for (const event of recorded) {
    if (Date.parse(String(event.metadata['occurredAt'])) > asOf.getTime()) break;
    for (const op of customerDocumentWrites(domainEvent(event))) {
      // Validated as both adapters validate a projector's writes, so a write the store would refuse fails here too.
      assertValidWriteOp(op);
      applyWriteOp(op, touched, () => undefined);
    }
  }
  return touched.get(touchedKey(collections.customers, customerId))?.doc as CustomerDocument | undefined;
}

/** Validated and upcast as the projector reads it. */
function domainEvent(recorded: RecordedEvent): DomainEvent {
  const schemaVersion = typeof recorded.metadata['schemaVersion'] === 'number' ? recorded.metadata['schemaVersion'] : 1;
  return parseEvent(recorded.type, recorded.data, schemaVersion);
}
