import {
  BSON,
  Long,
  MongoBulkWriteError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type WriteError,
} from 'mongodb';
import type { Checkpoint, Doc, WriteOp } from '../port';
import { FencedOutError } from '../lease';
import { InvalidDocumentStoreInputError } from '../names';
import { applyWriteOp, touchedKey, type TouchedDocuments } from '../apply-write-op';
import type { MongoDoc } from './mongo-filters';

/**
 * A batch without a multi-document transaction, which FerretDB does not have
 * and sharded MongoDB makes costly. Only single-document writes are atomic, so:
 *
 * 1. plan: the ops run in memory on the documents they touch (the same update
 *    code as the SQLite adapter), giving each document's final state. An op that
 *    fails (`$inc` on a string) fails here, before anything is written.
 * 2. record: the final states go to `_pendingBatches`, then one write to the
 *    checkpoint document marks them pending. That write is the commit point.
 * 3. apply: each document is replaced by its final state, carrying the batch's
 *    position; a write whose document already carries that position or a later
 *    one is skipped, so applying twice changes nothing.
 * 4. commit: the checkpoint moves and the mark goes, in one write.
 *
 * A crash before 2 leaves nothing; after it, the next reader of the checkpoint
 * finishes the recorded batch (3 and 4 again) before answering. Redoing the
 * final states, rather than replaying the ops, is what keeps a retry with other
 * batch boundaries from counting an event twice.
 */

/** Leading `_`: collection names cannot start with it, so no read model can collide. */
export const CHECKPOINTS = '_checkpoints';
export const PENDING_BATCHES = '_pendingBatches';
/** The position of the batch that last wrote a document; reads leave it out. */
export const APPLIED_POSITION = '_appliedPosition';

/** A document as the batch leaves it: written whole, or deleted (`null`). */
export interface FinalState {
  collection: string;
  id: string;
  doc: Doc | null;
}

export interface PlannedBatch {
  checkpoint: Checkpoint;
  states: FinalState[];
}

/** `hash` and `version` are missing from checkpoints written before they were recorded; `position` until a first batch commits. */
export type CheckpointDoc = {
  _id: string;
  position?: Long;
  hash?: string;
  version?: number;
  pending?: { position: Long; hash: string; version?: number; chunks: number };
  /** The highest fencing token raised on it (`./mongo-lease`). */
  fence?: number;
};

type ChunkDoc = { _id: string; checkpoint: string; position: Long; states: FinalState[] };

/** Well under the 16 MiB document limit, leaving room for the chunk's own fields. */
const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
const DUPLICATE_KEY = 11000;

export const checkpoints = (db: Db) => db.collection<CheckpointDoc>(CHECKPOINTS);
const pendingBatches = (db: Db) => db.collection<ChunkDoc>(PENDING_BATCHES);
/** Undefined fields are left out, as JSON (and so the SQLite adapter) does, instead of becoming null. */
export const documents = (db: Db, name: string): Collection<MongoDoc> => db.collection<MongoDoc>(name, { ignoreUndefined: true });

export async function planBatch(db: Db, ops: WriteOp[], checkpoint: Checkpoint): Promise<PlannedBatch> {
  const stored = new Map<string, Doc | undefined>();
  await readInto(db, stored, idsReadBy(ops));
  // The same in-memory application as the SQLite adapter's. A `given` op may answer writes to
  // documents no op named, known only once it ran: those are read and the batch planned again
  // (one more pass at most per level of such ops; the usage projector needs none).
  for (;;) {
    const touched: TouchedDocuments = new Map();
    const unread = new Map<string, Set<string>>();
    const read = (collection: string, id: string): Doc | undefined => {
      const found = stored.get(touchedKey(collection, id));
      if (!stored.has(touchedKey(collection, id))) unread.set(collection, (unread.get(collection) ?? new Set()).add(id));
      return found;
    };
    for (const op of ops) applyWriteOp(op, touched, read);
    if (unread.size === 0) return { checkpoint, states: finalStates(touched) };
    await readInto(db, stored, unread);
  }
}

function finalStates(touched: TouchedDocuments): FinalState[] {
  const states = [...touched.values()].map(({ collection, id, doc }): FinalState => ({ collection, id, doc: doc ?? null }));
  for (const { doc } of states) {
    if (doc && APPLIED_POSITION in doc) throw new InvalidDocumentStoreInputError(`${APPLIED_POSITION} is reserved for the adapter`);
  }
  return states;
}

/** The documents the ops start from (those updated, and those a `given` op looks at), by collection. */
function idsReadBy(ops: WriteOp[]): Map<string, Set<string>> {
  const ids = new Map<string, Set<string>>();
  for (const op of ops) {
    if (op.kind === 'update' || op.kind === 'given') ids.set(op.collection, (ids.get(op.collection) ?? new Set()).add(op.id));
  }
  return ids;
}

/** One query per collection, without the adapter's field; a document not found is remembered as missing. */
async function readInto(db: Db, stored: Map<string, Doc | undefined>, ids: Map<string, Set<string>>): Promise<void> {
  for (const [collection, wanted] of ids) {
    for (const id of wanted) stored.set(touchedKey(collection, id), undefined);
    const docs = await documents(db, collection)
      .find({ _id: { $in: [...wanted] } }, { projection: { [APPLIED_POSITION]: 0 } })
      .toArray();
    for (const doc of docs) stored.set(touchedKey(collection, doc._id), doc);
  }
}

/** Stores the final states, then marks them pending: from then on the batch will be finished. */
export async function recordBatch(db: Db, { checkpoint, states }: PlannedBatch): Promise<void> {
  const position = Long.fromBigInt(checkpoint.position);
  // Chunks of a batch that crashed before its mark are garbage; ids name the position, so no reader mixes two batches.
  await pendingBatches(db).deleteMany({ checkpoint: checkpoint.name });
  const chunks = inChunks(states).map((part, index): ChunkDoc => ({
    _id: chunkId(checkpoint.name, checkpoint.position, index),
    checkpoint: checkpoint.name,
    position,
    states: part,
  }));
  if (chunks.length > 0) await pendingBatches(db).insertMany(chunks);
  await fencedCheckpointWrite(db, checkpoint, {
    $set: { pending: { position, hash: checkpoint.hash, version: checkpoint.version, chunks: chunks.length } },
  });
}

/**
 * The commit point of a batch, refused when its writer's fence is below the checkpoint's: the
 * filter then misses, and the upsert's insert meets the existing document's id.
 */
async function fencedCheckpointWrite(db: Db, checkpoint: Checkpoint, update: { $set: Partial<CheckpointDoc> }): Promise<void> {
  const allowed = checkpoint.fence === undefined ? {} : { $or: [{ fence: { $exists: false } }, { fence: { $lte: checkpoint.fence } }] };
  try {
    await checkpoints(db).updateOne({ _id: checkpoint.name, ...allowed }, update, { upsert: true });
  } catch (error) {
    if (checkpoint.fence !== undefined && error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
      throw new FencedOutError(`checkpoint ${checkpoint.name}: fenced out, a holder with a newer lease than ${checkpoint.fence} writes it`);
    }
    throw error;
  }
}

/** Writes the final states guarded by the batch's position; what is already there at it, or past it, stays. */
export async function applyStates(db: Db, position: bigint, states: FinalState[]): Promise<void> {
  const byCollection = new Map<string, FinalState[]>();
  for (const state of states) byCollection.set(state.collection, [...(byCollection.get(state.collection) ?? []), state]);
  for (const [collection, ofCollection] of byCollection) await applyToCollection(documents(db, collection), position, ofCollection);
}

/** Another finisher of the same batch can insert a document between our look and our write; a look again settles it. */
const MAX_WRITE_ATTEMPTS = 3;

async function applyToCollection(collection: Collection<MongoDoc>, position: bigint, states: FinalState[]): Promise<void> {
  const at = Long.fromBigInt(position);
  for (let attempt = 1; ; attempt++) {
    // One look decides each write, so none relies on an upsert the guard stops (a duplicate-key
    // error, at which FerretDB ends an unordered bulk write) or on `$or`, which FerretDB runs
    // without its SQLite indexes. The filters still carry the guard, for a writer in between.
    const stored = await collection
      .find({ _id: { $in: states.map((state) => state.id) } }, { projection: { _id: 1, [APPLIED_POSITION]: 1 } })
      .toArray();
    const storedAt = new Map(stored.map((doc) => [doc._id, doc[APPLIED_POSITION] as Long | number | undefined]));
    const writes: AnyBulkWriteOperation<MongoDoc>[] = [];
    for (const { id, doc } of states) {
      const replacement = doc ? { ...doc, [APPLIED_POSITION]: at } : undefined;
      if (!storedAt.has(id)) {
        if (replacement) writes.push({ insertOne: { document: replacement } });
        continue;
      }
      const current = storedAt.get(id);
      if (current !== undefined && Long.fromValue(current).gte(at)) continue;
      const filter = { _id: id, [APPLIED_POSITION]: current === undefined ? { $exists: false } : { $lt: at } };
      writes.push(replacement ? { replaceOne: { filter, replacement } } : { deleteOne: { filter } });
    }
    if (writes.length === 0) return;
    try {
      // Each document is written once per batch, so the writes need no order among themselves.
      await collection.bulkWrite(writes, { ordered: false });
      return;
    } catch (error) {
      // Another finisher inserted a document first: a second look skips what it wrote.
      const raced = error instanceof MongoBulkWriteError && writeErrorsOf(error).every((e) => e.code === DUPLICATE_KEY);
      if (!raced || attempt === MAX_WRITE_ATTEMPTS) throw error;
    }
  }
}

/** Moves the checkpoint and drops the mark, only if the mark is still this batch's: a second finisher changes nothing. */
export async function commitBatch(db: Db, checkpoint: Checkpoint): Promise<void> {
  const position = Long.fromBigInt(checkpoint.position);
  await checkpoints(db).updateOne(
    { _id: checkpoint.name, 'pending.position': position, 'pending.hash': checkpoint.hash },
    { $set: { position, hash: checkpoint.hash, version: checkpoint.version }, $unset: { pending: '' } },
  );
  await pendingBatches(db).deleteMany({ checkpoint: checkpoint.name, position });
}

export async function storeCheckpoint(db: Db, checkpoint: Checkpoint): Promise<void> {
  await fencedCheckpointWrite(db, checkpoint, {
    $set: { position: Long.fromBigInt(checkpoint.position), hash: checkpoint.hash, version: checkpoint.version },
  });
}

/**
 * Finishes the batch a crash left marked pending, if any, and answers its position.
 * Chunks that are gone mean another finisher got there first and is committing it.
 */
export async function finishPendingBatch(db: Db, name: string): Promise<bigint | undefined> {
  const found = await checkpoints(db).findOne({ _id: name }, { promoteLongs: false });
  const pending = found?.pending;
  if (!pending) return undefined;
  const position = BigInt(pending.position.toString());
  const ids = Array.from({ length: pending.chunks }, (_, index) => chunkId(name, position, index));
  const chunks = await pendingBatches(db)
    .find({ _id: { $in: ids } })
    .toArray();
  if (chunks.length !== ids.length) return undefined;
  chunks.sort((a, b) => ids.indexOf(a._id) - ids.indexOf(b._id));
  await applyStates(
    db,
    position,
    chunks.flatMap((chunk) => chunk.states),
  );
  // A mark from before versions were recorded belongs to the first version, as its checkpoint does.
  await commitBatch(db, { name, position, hash: pending.hash, version: pending.version ?? 1 });
  return position;
}

function inChunks(states: FinalState[]): FinalState[][] {
  const chunks: FinalState[][] = [];
  let current: FinalState[] = [];
  let bytes = 0;
  for (const state of states) {
    const size = BSON.calculateObjectSize(state, { ignoreUndefined: true });
    if (current.length > 0 && bytes + size > MAX_CHUNK_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(state);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const chunkId = (name: string, position: bigint, index: number) => `${name}\0${position}\0${index}`;

function writeErrorsOf(error: MongoBulkWriteError): readonly WriteError[] {
  const { writeErrors } = error;
  return isList(writeErrors) ? writeErrors : [writeErrors];
}

// Array.isArray does not narrow a ReadonlyArray out of a union.
const isList = <T>(value: T | readonly T[]): value is readonly T[] => Array.isArray(value);
