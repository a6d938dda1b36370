import type { LeaseStore } from './lease';

/**
 * The document store port for read models. Adapters: `./sqlite` (embedded), `./mongo`.
 *
 * Projectors do not touch the store: they turn an event into write operations
 * (pure functions), and the runner hands a batch of them to `applyBatch` with
 * the checkpoint. SQLite commits both in one transaction; MongoDB records the batch, applies it
 * under per-document position guards, then moves the checkpoint (no multi-document
 * transaction). Either way a crash neither double-counts nor skips.
 */

export type Doc = { _id: string } & Record<string, unknown>;

/** A Mongo-like update: dotted paths are allowed in every operator. */
export interface UpdateSpec {
  $set?: Record<string, unknown>;
  $inc?: Record<string, number>;
  /** Applied only when the update creates the document. */
  $setOnInsert?: Record<string, unknown>;
}

export type WriteOp =
  | { kind: 'put'; collection: string; doc: Doc }
  | { kind: 'update'; collection: string; id: string; update: UpdateSpec; upsert: boolean }
  | { kind: 'delete'; collection: string; id: string }
  /**
   * Writes that depend on a document as the ops before it left it: `then` gets it (undefined
   * when missing) and answers the ops to apply in its place. It must only read its argument:
   * both adapters call it while planning a batch, before anything is written, so a batch
   * planned again (a retry, a Mongo batch finished after a crash) plans the same writes.
   * "Count a user once per bucket" is a marker put and an $inc, given the marker is missing.
   */
  | { kind: 'given'; collection: string; id: string; then: (doc: Doc | undefined) => WriteOp[] };

/** Equality, or a range on one field. Fields may be dotted paths. */
export type Condition = string | number | boolean | null | { $gt?: Scalar; $gte?: Scalar; $lt?: Scalar; $lte?: Scalar };
type Scalar = string | number;

export interface FindQuery {
  where?: Record<string, Condition>;
  orderBy?: [field: string, direction: 'asc' | 'desc'][];
  limit?: number;
}

export interface Checkpoint {
  name: string;
  /** Global event-store position of the last event the batch covers. */
  position: bigint;
  /**
   * Chain hash (`metadata.hash`) of the event at `position`. A position alone cannot tell this
   * log from a restored or different one that reuses it; the hash of the event there can.
   */
  hash: string;
  /**
   * Version of the follower that wrote it (a projection's code, the relay's message shape).
   * A follower that finds another version starts over from the first event, alone.
   */
  version: number;
  /** The lease's fencing token of the writer, when it holds one (see `./lease`): a batch below the checkpoint's fence is refused. */
  fence?: number;
}

/**
 * A checkpoint as read back. `hash` and `version` are missing from checkpoints written before
 * they were recorded; the next batch stores both.
 */
export type StoredCheckpoint = Pick<Checkpoint, 'position'> & Partial<Pick<Checkpoint, 'hash' | 'version'>>;

export interface CollectionMove {
  from: string;
  to: string;
}

export interface DocumentStore extends LeaseStore {
  /** Declares the fields a collection is queried by, so adapters can index them. Idempotent. */
  ensureIndex(collection: string, fields: string[]): Promise<void>;
  /** Applies the operations in order and stores the checkpoint, all or nothing. */
  applyBatch(ops: WriteOp[], checkpoint: Checkpoint): Promise<void>;
  getCheckpoint(name: string): Promise<StoredCheckpoint | undefined>;
  get<T extends Doc = Doc>(collection: string, id: string): Promise<T | undefined>;
  find<T extends Doc = Doc>(collection: string, query: FindQuery): Promise<T[]>;
  /**
   * Deletes these documents outside any batch, leaving the checkpoint alone: for pruning what a
   * read model no longer keeps (the audit trail's retention, expired challenges), where the documents are old enough
   * that no batch in flight touches them. Answers how many were there. At most 1,000 ids a call.
   */
  deleteMany(collection: string, ids: string[]): Promise<number>;
  /** Drops the collections and the checkpoint: the next run rebuilds them from the first event. */
  reset(collections: string[], checkpointName: string): Promise<void>;
  /**
   * Puts collections built beside the live ones in their place, with the checkpoint they were
   * built to: each `from` replaces its `to` (dropped), and checkpoint `from` becomes `to`. SQLite
   * does it in one transaction; Mongo renames one collection at a time (see its adapter).
   */
  replaceCollections(moves: CollectionMove[], checkpoint: { from: string; to: string }): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
