import type { Checkpoint, DocumentStore, FindQuery, WriteOp } from '@otp/platform/document-store';

/** Where a rebuild writes: beside the live collection and checkpoint, under names of their own. */
export const besideName = (name: string): string => `${name}_rebuild`;

/**
 * The read-model store as a rebuild sees it: every collection and checkpoint name is the live
 * one's `besideName`, so a second runner of the same projector fills new collections while the
 * live ones keep serving. The projector and runner are the live ones, unchanged.
 */
export function besideDocuments(documents: DocumentStore): DocumentStore {
  // A conditional write's own writes are renamed too: they are decided later, inside the batch.
  const op = (write: WriteOp): WriteOp =>
    write.kind === 'given'
      ? { ...write, collection: besideName(write.collection), then: (doc) => write.then(doc).map(op) }
      : { ...write, collection: besideName(write.collection) };
  const checkpoint = (at: Checkpoint): Checkpoint => ({ ...at, name: besideName(at.name) });
  return {
    ensureIndex: (collection, fields) => documents.ensureIndex(besideName(collection), fields),
    applyBatch: (ops, at) => documents.applyBatch(ops.map(op), checkpoint(at)),
    getCheckpoint: (name) => documents.getCheckpoint(besideName(name)),
    get: (collection, id) => documents.get(besideName(collection), id),
    find: (collection, query: FindQuery) => documents.find(besideName(collection), query),
    deleteMany: (collection, ids) => documents.deleteMany(besideName(collection), ids),
    reset: (collections, name) => documents.reset(collections.map(besideName), besideName(name)),
    replaceCollections: () => Promise.reject(new Error('a rebuild does not replace collections of its own')),
    acquireLease: (name, owner, ttlMs) => documents.acquireLease(besideName(name), owner, ttlMs),
    releaseLease: (name, owner) => documents.releaseLease(besideName(name), owner),
    raiseFence: (name, token) => documents.raiseFence(besideName(name), token),
    ping: () => documents.ping(),
    // The live store's connection is not the rebuild's to close.
    close: () => Promise.resolve(),
  };
}
