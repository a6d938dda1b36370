import type { Doc, WriteOp } from './port';
import { InvalidDocumentStoreInputError } from './names';
import { applyUpdate, assertValidWriteOp } from './update';

/** A document as the ops so far left it; `doc` undefined once deleted. */
export interface TouchedDocument {
  collection: string;
  id: string;
  doc: Doc | undefined;
}

/** Documents touched by a run of ops, keyed by `touchedKey`. */
export type TouchedDocuments = Map<string, TouchedDocument>;

export const touchedKey = (collection: string, id: string): string => `${collection}\0${id}`;

/**
 * Applies one write operation, as Mongo would, to the documents the ops before it touched,
 * reading one not touched yet with `read`. The SQLite adapter commits what a batch leaves in
 * `touched`; projector specifications look at it directly, so they say which documents events
 * give rather than which operators a projector chose. Validate ops first (`assertValidWriteOp`).
 */
export function applyWriteOp(op: WriteOp, touched: TouchedDocuments, read: (collection: string, id: string) => Doc | undefined): void {
  const { collection } = op;
  const id = op.kind === 'put' ? op.doc._id : op.id;
  const key = touchedKey(collection, id);
  const current = () => (touched.has(key) ? touched.get(key)!.doc : read(collection, id));
  switch (op.kind) {
    case 'put':
      touched.set(key, { collection, id, doc: op.doc });
      return;
    case 'delete':
      touched.set(key, { collection, id, doc: undefined });
      return;
    case 'update': {
      const existing = current();
      if (!existing && !op.upsert) return;
      touched.set(key, { collection, id, doc: applyUpdate(existing, id, op.update) });
      return;
    }
    case 'given':
      for (const next of op.then(current())) {
        assertValidWriteOp(next);
        applyWriteOp(next, touched, read);
      }
      return;
    default: {
      const unknownOp: never = op;
      throw new InvalidDocumentStoreInputError(`unknown write op ${JSON.stringify(unknownOp)}`);
    }
  }
}
