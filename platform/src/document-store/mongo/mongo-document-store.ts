import { MongoClient, type Db } from 'mongodb';
import type { Checkpoint, CollectionMove, Doc, DocumentStore, FindQuery, StoredCheckpoint, WriteOp } from '../port';
import {
  assertCheckpoint,
  assertCollectionName,
  assertDeleteIds,
  assertDocumentId,
  assertFieldPath,
  InvalidDocumentStoreInputError,
} from '../names';
import { assertValidWriteOp } from '../update';
import {
  APPLIED_POSITION,
  applyStates,
  checkpoints,
  commitBatch,
  documents,
  finishPendingBatch,
  PENDING_BATCHES,
  planBatch,
  recordBatch,
  storeCheckpoint,
} from './mongo-batch';
import { toMongoFind } from './mongo-filters';
import * as leases from './mongo-lease';

export type MongoDocumentStoreOptions = {
  /** Database holding the read-model collections and the checkpoints. */
  database: string;
} & (
  | {
      /**
       * A standalone server, a replica set or FerretDB: batches need no
       * multi-document transaction (see `./mongo-batch`).
       */
      url: string;
    }
  | {
      /** A client the caller owns; `close()` leaves it open. */
      client: MongoClient;
    }
);

export async function openMongoDocumentStore(options: MongoDocumentStoreOptions): Promise<DocumentStore> {
  if ('client' in options) return new MongoDocumentStore(options.client, options.database, false);
  const client = new MongoClient(options.url);
  await client.connect();
  return new MongoDocumentStore(client, options.database, true);
}

/** Reads leave out the position the adapter keeps on every document. */
const WITHOUT_POSITION = { projection: { [APPLIED_POSITION]: 0 } };

/** A retry that did not re-read the checkpoint after a crash may cover events the finished batch holds. */
export class InterruptedBatchFinishedError extends Error {
  override readonly name = 'InterruptedBatchFinishedError';
}

class MongoDocumentStore implements DocumentStore {
  private readonly db: Db;
  /** Declared indexes per collection, re-created after reset drops them. */
  private readonly indexes = new Map<string, string[][]>();

  constructor(
    private readonly client: MongoClient,
    database: string,
    private readonly ownsClient: boolean,
  ) {
    this.db = client.db(database);
  }

  async ensureIndex(collection: string, fields: string[]): Promise<void> {
    assertCollectionName(collection);
    if (fields.length === 0) throw new InvalidDocumentStoreInputError('an index needs at least one field');
    fields.forEach(assertFieldPath);
    const declared = this.indexes.get(collection) ?? [];
    if (!declared.some((existing) => existing.join() === fields.join())) declared.push(fields);
    this.indexes.set(collection, declared);
    await this.createIndex(collection, fields);
  }

  /** Steps and crash behaviour: `./mongo-batch`. */
  async applyBatch(ops: WriteOp[], checkpoint: Checkpoint): Promise<void> {
    ops.forEach(assertValidWriteOp);
    assertCheckpoint(checkpoint);
    const finished = await finishPendingBatch(this.db, checkpoint.name);
    // The same batch again is harmless (its documents already carry its position); another one may overlap it.
    if (finished !== undefined && finished !== checkpoint.position) {
      throw new InterruptedBatchFinishedError(
        `checkpoint ${checkpoint.name}: an interrupted batch up to ${finished} was finished first; read the checkpoint again`,
      );
    }
    const planned = await planBatch(this.db, ops, checkpoint);
    // Nothing to write (the relay's batches): the checkpoint alone is one atomic write.
    if (planned.states.length === 0) return storeCheckpoint(this.db, checkpoint);
    await recordBatch(this.db, planned);
    await applyStates(this.db, checkpoint.position, planned.states);
    await commitBatch(this.db, checkpoint);
  }

  /** Finishes a batch that a crash left recorded but not checkpointed first, so the answer is what the documents hold. */
  async getCheckpoint(name: string): Promise<StoredCheckpoint | undefined> {
    await finishPendingBatch(this.db, name);
    const found = await checkpoints(this.db).findOne({ _id: name }, { promoteLongs: false });
    if (!found?.position) return undefined;
    const position = BigInt(found.position.toString());
    return {
      position,
      ...(typeof found.hash === 'string' ? { hash: found.hash } : {}),
      ...(typeof found.version === 'number' ? { version: found.version } : {}),
    };
  }

  async get<T extends Doc = Doc>(collection: string, id: string): Promise<T | undefined> {
    assertDocumentId(id);
    const found = await this.collection(collection).findOne({ _id: id }, WITHOUT_POSITION);
    return (found ?? undefined) as T | undefined;
  }

  async find<T extends Doc = Doc>(collection: string, query: FindQuery): Promise<T[]> {
    const built = toMongoFind(query);
    if (built === 'empty') return [];
    let cursor = this.collection(collection).find(built.filter, WITHOUT_POSITION).sort(built.sort);
    if (built.limit !== undefined) cursor = cursor.limit(built.limit);
    return (await cursor.toArray()) as T[];
  }

  async deleteMany(collection: string, ids: string[]): Promise<number> {
    assertDeleteIds(ids);
    if (ids.length === 0) return 0;
    const { deletedCount } = await this.collection(collection).deleteMany({ _id: { $in: ids } });
    return deletedCount;
  }

  /**
   * Not atomic. The checkpoint (with any pending mark) goes first, so an
   * interrupted reset leaves "no checkpoint", which the projection runner
   * treats as "reset again before replaying".
   */
  async reset(collections: string[], checkpointName: string): Promise<void> {
    collections.forEach(assertCollectionName);
    await checkpoints(this.db).deleteOne({ _id: checkpointName });
    await this.db.collection(PENDING_BATCHES).deleteMany({ checkpoint: checkpointName });
    for (const collection of collections) {
      // The driver treats dropping a missing collection as done.
      await this.collection(collection).drop();
      for (const fields of this.indexes.get(collection) ?? []) await this.createIndex(collection, fields);
    }
  }

  /**
   * Not atomic: one rename per collection. The live checkpoint goes first, so a crash part way
   * leaves "no checkpoint", which makes the projection rebuild in place from the first event
   * (slow, never wrong); readers may see the renamed collections beside not-yet-renamed ones for
   * the few milliseconds the renames take.
   */
  async replaceCollections(moves: CollectionMove[], checkpoint: { from: string; to: string }): Promise<void> {
    for (const { from, to } of moves) {
      assertCollectionName(from);
      assertCollectionName(to);
    }
    const built = await this.getCheckpoint(checkpoint.from);
    if (!built?.hash || built.version === undefined) {
      throw new InvalidDocumentStoreInputError(`no checkpoint ${checkpoint.from} to put in place of ${checkpoint.to}`);
    }
    await finishPendingBatch(this.db, checkpoint.to);
    await checkpoints(this.db).deleteOne({ _id: checkpoint.to });
    const existing = new Set((await this.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const { from, to } of moves) {
      // Dropped, then renamed, rather than `dropTarget` (FerretDB lacks it): the checkpoint is gone already, so a
      // crash between the two leaves a projection that rebuilds in place.
      await this.collection(to).drop();
      if (existing.has(from)) await this.db.renameCollection(from, to);
      for (const fields of this.indexes.get(to) ?? []) await this.createIndex(to, fields);
    }
    await storeCheckpoint(this.db, { name: checkpoint.to, position: built.position, hash: built.hash, version: built.version });
    await checkpoints(this.db).deleteOne({ _id: checkpoint.from });
  }

  /** One conditional single-document write each: `./mongo-lease`. */
  acquireLease(name: string, owner: string, ttlMs: number): Promise<number | undefined> {
    return leases.acquireLease(this.db, name, owner, ttlMs);
  }

  releaseLease(name: string, owner: string): Promise<void> {
    return leases.releaseLease(this.db, name, owner);
  }

  raiseFence(checkpointName: string, token: number): Promise<void> {
    return leases.raiseFence(this.db, checkpointName, token);
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  private async createIndex(collection: string, fields: string[]): Promise<void> {
    await this.collection(collection).createIndex(Object.fromEntries(fields.map((field) => [field, 1])));
  }

  private collection(name: string) {
    assertCollectionName(name);
    return documents(this.db, name);
  }
}
