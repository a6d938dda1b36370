import { randomUUID } from 'node:crypto';
import { MongoDBContainer, type StartedMongoDBContainer } from '@testcontainers/mongodb';
import { Long, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDocumentStoreContract, type InterruptedWrites } from '../document-store.contract';
import type { Checkpoint, DocumentStore, WriteOp } from '../port';
import { findTestServer } from '../../testing/test-server';
import { applyStates, planBatch, recordBatch } from './mongo-batch';
import { InterruptedBatchFinishedError, openMongoDocumentStore } from './index';

// MONGODB_URL first (scripts/test-servers.sh starts FerretDB), else a real MongoDB in a container.
const MONGO_IMAGE = 'mongo:8.0';
const server = await findTestServer('MONGODB_URL');

/** Stores the batch as applyBatch does, stopping where a crash would: before the checkpoint moves. */
async function interrupt(client: MongoClient, database: string, ops: WriteOp[], checkpoint: Checkpoint, writes: InterruptedWrites) {
  const db = client.db(database);
  const planned = await planBatch(db, ops, checkpoint);
  await recordBatch(db, planned);
  const done = writes === 'none' ? 0 : writes === 'some' ? Math.ceil(planned.states.length / 2) : planned.states.length;
  await applyStates(db, checkpoint.position, planned.states.slice(0, done));
}

if (server.from === 'none') {
  console.log(`mongo document store contract skipped: ${server.reason}`);
  describe.skip('mongo document store', () => {
    it('needs MONGODB_URL or a Docker engine', () => {});
  });
} else {
  let container: StartedMongoDBContainer | undefined;
  let client: MongoClient;

  beforeAll(async () => {
    if (server.from === 'env') client = new MongoClient(server.address);
    else {
      // The first run may pull the image.
      container = await new MongoDBContainer(MONGO_IMAGE).start();
      // Direct: the replica set advertises the container's internal host name, unreachable from here.
      client = new MongoClient(container.getConnectionString(), { directConnection: true });
    }
    await client.connect();
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    await container?.stop();
  });

  async function openStore() {
    const database = `contract_${randomUUID().replaceAll('-', '')}`;
    const store = await openMongoDocumentStore({ client, database });
    return {
      database,
      store,
      dispose: async () => {
        await store.close();
        await client.db(database).dropDatabase();
      },
    };
  }

  // One server for the file, a database per test.
  registerDocumentStoreContract('mongo', async () => {
    const { database, store, dispose } = await openStore();
    return {
      store,
      writeCheckpointWithoutHash: async (name, position) => {
        await client
          .db(database)
          .collection<{ _id: string; position: Long }>('_checkpoints')
          .insertOne({ _id: name, position: Long.fromBigInt(position) });
      },
      interruptBatch: (ops, checkpoint, writes) => interrupt(client, database, ops, checkpoint, writes),
      dispose,
    };
  });

  describe('mongo document store without transactions', () => {
    const at = (position: bigint): Checkpoint => ({ name: 'p', position, hash: `h${position}`, version: 1 });
    const hit = (id: string): WriteOp => ({ kind: 'update', collection: 'counters', id, upsert: true, update: { $inc: { hits: 1 } } });
    let opened: Awaited<ReturnType<typeof openStore>>;
    let store: DocumentStore;

    beforeAll(async () => {
      opened = await openStore();
      store = opened.store;
    });
    afterAll(() => opened?.dispose());

    it('changes nothing when a stored batch is sent again, as a retry after a lost answer does', async () => {
      await store.applyBatch([hit('a'), hit('a'), hit('b'), { kind: 'delete', collection: 'counters', id: 'b' }], at(1n));
      await store.applyBatch([hit('a'), hit('a'), hit('b'), { kind: 'delete', collection: 'counters', id: 'b' }], at(1n));
      expect(await store.find('counters', {})).toEqual([{ _id: 'a', hits: 2 }]);
      expect(await store.getCheckpoint('p')).toEqual({ position: 1n, hash: 'h1', version: 1 });
    });

    it('finishes an interrupted batch when the same batch is retried without reading the checkpoint', async () => {
      await interrupt(client, opened.database, [hit('a'), hit('c')], at(2n), 'some');
      await store.applyBatch([hit('a'), hit('c')], at(2n));
      expect(await store.find('counters', {})).toEqual([
        { _id: 'a', hits: 3 },
        { _id: 'c', hits: 1 },
      ]);
      expect(await store.getCheckpoint('p')).toEqual({ position: 2n, hash: 'h2', version: 1 });
    });

    it('refuses a retry with other boundaries until the checkpoint is read again', async () => {
      await interrupt(client, opened.database, [hit('a')], at(3n), 'none');
      // Events 3 and 4: the first is in the interrupted batch, which the store finishes before refusing.
      await expect(store.applyBatch([hit('a'), hit('a')], at(4n))).rejects.toThrow(InterruptedBatchFinishedError);
      expect(await store.getCheckpoint('p')).toEqual({ position: 3n, hash: 'h3', version: 1 });
      await store.applyBatch([hit('a')], at(4n));
      expect(await store.get('counters', 'a')).toEqual({ _id: 'a', hits: 5 });
    });

    it('refuses documents that would carry its own position field', async () => {
      const put: WriteOp = { kind: 'put', collection: 'counters', doc: { _id: 'x', _appliedPosition: 99 } };
      await expect(store.applyBatch([put], at(5n))).rejects.toThrow(/reserved/);
      expect(await store.get('counters', 'x')).toBeUndefined();
    });
  });
}
