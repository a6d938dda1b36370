import { Long, MongoClient, type Collection, type Db } from 'mongodb';
import type { Checkpoint, Doc, DocumentStore, FindQuery, StoredCheckpoint, WriteOp } from '../port';
import { assertCheckpoint, assertCollectionName, assertDocumentId, assertFieldPath, InvalidDocumentStoreInputError } from '../names';
import { assertValidWriteOp } from '../update';
import { toBulkOperation, toMongoFind, type MongoDoc } from './mongo-filters';

export type MongoDocumentStoreOptions = {
  /** Database holding the read-model collections and the checkpoints. */
  database: string;
} & (
  | {
      /**
       * Must reach a replica set (a single node started with `--replSet` is
       * enough): `applyBatch` is a multi-document transaction, which a
       * standalone mongod refuses.
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

/** Leading `_`: collection names cannot start with it, so no read model can collide. */
const CHECKPOINTS = '_checkpoints';

/** `hash` and `version` are missing from checkpoints written before they were recorded; the next batch adds them. */
type CheckpointDoc = { _id: string; position: Long; hash?: string; version?: number };

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

  async applyBatch(ops: WriteOp[], checkpoint: Checkpoint): Promise<void> {
    ops.forEach(assertValidWriteOp);
    assertCheckpoint(checkpoint);
    const runs = consecutiveRuns(ops);
    const session = this.client.startSession();
    try {
      // The driver may call this more than once (transient errors), so it only issues writes.
      await session.withTransaction(async () => {
        for (const run of runs) {
          await this.collection(run.collection).bulkWrite(run.ops.map(toBulkOperation), { session, ordered: true });
        }
        await this.checkpoints().updateOne(
          { _id: checkpoint.name },
          { $set: { position: Long.fromBigInt(checkpoint.position), hash: checkpoint.hash, version: checkpoint.version } },
          { upsert: true, session },
        );
      });
    } finally {
      await session.endSession();
    }
  }

  async getCheckpoint(name: string): Promise<StoredCheckpoint | undefined> {
    const found = await this.checkpoints().findOne({ _id: name }, { promoteLongs: false });
    if (!found) return undefined;
    const position = BigInt(found.position.toString());
    return {
      position,
      ...(typeof found.hash === 'string' ? { hash: found.hash } : {}),
      ...(typeof found.version === 'number' ? { version: found.version } : {}),
    };
  }

  async get<T extends Doc = Doc>(collection: string, id: string): Promise<T | undefined> {
    assertDocumentId(id);
    const found = await this.collection(collection).findOne({ _id: id });
    return (found ?? undefined) as T | undefined;
  }

  async find<T extends Doc = Doc>(collection: string, query: FindQuery): Promise<T[]> {
    const built = toMongoFind(query);
    if (built === 'empty') return [];
    let cursor = this.collection(collection).find(built.filter).sort(built.sort);
    if (built.limit !== undefined) cursor = cursor.limit(built.limit);
    return (await cursor.toArray()) as T[];
  }

  /**
   * Not atomic: MongoDB cannot drop collections inside a transaction. The
   * checkpoint goes first, so an interrupted reset leaves "no checkpoint",
   * which the projection runner treats as "reset again before replaying".
   */
  async reset(collections: string[], checkpointName: string): Promise<void> {
    collections.forEach(assertCollectionName);
    await this.checkpoints().deleteOne({ _id: checkpointName });
    for (const collection of collections) {
      // The driver treats dropping a missing collection as done.
      await this.collection(collection).drop();
      for (const fields of this.indexes.get(collection) ?? []) await this.createIndex(collection, fields);
    }
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

  private collection(name: string): Collection<MongoDoc> {
    assertCollectionName(name);
    // Undefined fields are left out, as JSON (and so the SQLite adapter) does, instead of becoming null.
    return this.db.collection<MongoDoc>(name, { ignoreUndefined: true });
  }

  private checkpoints(): Collection<CheckpointDoc> {
    return this.db.collection<CheckpointDoc>(CHECKPOINTS);
  }
}

/** bulkWrite is per collection; consecutive runs keep the batch's order across collections. */
function consecutiveRuns(ops: WriteOp[]): { collection: string; ops: WriteOp[] }[] {
  const runs: { collection: string; ops: WriteOp[] }[] = [];
  for (const op of ops) {
    const last = runs.at(-1);
    if (last && last.collection === op.collection) last.ops.push(op);
    else runs.push({ collection: op.collection, ops: [op] });
  }
  return runs;
}
