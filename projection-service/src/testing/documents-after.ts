import { applyWriteOp, assertValidWriteOp, touchedKey, type Doc, type TouchedDocuments } from '@otp/platform/document-store';
import type { ProjectedEvent } from '../projected-event';
import type { Projector } from '../projectors/projector';

/**
 * The documents a projector's writes leave after `events`, applied in memory as the SQLite
 * adapter applies a batch (each op validated as both adapters validate it, the projector reading
 * what the writes before left): collection to
 * documents, by id. So a projector specification says "given these events, the documents are
 * these", whatever operators the projector chose to get there.
 */
export function documentsAfter(projector: Projector, events: ProjectedEvent[]): Record<string, Doc[]> {
  const touched: TouchedDocuments = new Map();
  for (const event of events) {
    const view = (collection: string, id: string) => touched.get(touchedKey(collection, id))?.doc;
    for (const op of projector.project(event, view)) {
      assertValidWriteOp(op);
      applyWriteOp(op, touched, () => undefined);
    }
  }
  const documents: Record<string, Doc[]> = {};
  for (const { collection, doc } of [...touched.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (doc) (documents[collection] ??= []).push(doc);
  }
  return documents;
}
