import type { Doc, WriteOp } from './port';
import { InvalidDocumentStoreInputError } from './names';
import { applyUpdate, assertValidWriteOp } from './update';

/** A document as the ops so far left it; `doc` undefined once deleted. */
export interface TouchedDocument {
  collection: string;
  id: string;
  doc: Doc | undefined;
  /**
   * `doc` was made by this run of ops (an update's copy), so later updates may change it in
   * place: a batch that increments one usage bucket 1,500 times copies it once, not 1,500 times.
   * A document read or put by a caller is never changed; the first update copies it.
   */
  own?: true;
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
  const entry = touched.get(key);
  switch (op.kind) {
    case 'put':
      touched.set(key, { collection, id, doc: op.doc });
      return;
    case 'delete':
      touched.set(key, { collection, id, doc: undefined });
      return;
    case 'update': {
      const existing = entry ? entry.doc : read(collection, id);
      if (!existing && !op.upsert) return;
      const own = entry?.own === true && entry.doc !== undefined;
      touched.set(key, { collection, id, doc: applyUpdate(existing, id, op.update, own ? 'in-place' : 'copy'), own: true });
      return;
    }
    case 'given':
      for (const next of op.then(entry ? entry.doc : read(collection, id))) {
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
