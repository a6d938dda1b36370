import type { Checkpoint, DocumentStore } from '@otp/platform/document-store';

/**
 * The read-model store as one lease holder writes it: every batch carries the holder's fencing
 * token, and a checkpoint's fence is raised before the checkpoint is read (and again after a
 * reset drops it). Once raised, a former holder still running (a long pause, a partition) has
 * its next batch refused at the commit point; whatever it committed before is in the
 * checkpoint this holder then reads, so nothing is counted twice.
 */
export function fencedDocuments(documents: DocumentStore, token: number): DocumentStore {
  return {
    ensureIndex: (collection, fields) => documents.ensureIndex(collection, fields),
    applyBatch: (ops, checkpoint: Checkpoint) => documents.applyBatch(ops, { ...checkpoint, fence: token }),
    async getCheckpoint(name) {
      await documents.raiseFence(name, token);
      return documents.getCheckpoint(name);
    },
    get: (collection, id) => documents.get(collection, id),
    find: (collection, query) => documents.find(collection, query),
    // Pruning is idempotent: a former holder deleting what this one also deletes changes nothing.
    deleteMany: (collection, ids) => documents.deleteMany(collection, ids),
    async reset(collections, checkpointName) {
      await documents.reset(collections, checkpointName);
      await documents.raiseFence(checkpointName, token);
    },
    replaceCollections: (moves, checkpoint) => documents.replaceCollections(moves, checkpoint),
    acquireLease: (name, owner, ttlMs) => documents.acquireLease(name, owner, ttlMs),
    releaseLease: (name, owner) => documents.releaseLease(name, owner),
    raiseFence: (checkpointName, fence) => documents.raiseFence(checkpointName, fence),
    ping: () => documents.ping(),
    close: () => documents.close(),
  };
}
