import { randomUUID } from 'node:crypto';
import { MongoDBContainer, type StartedMongoDBContainer } from '@testcontainers/mongodb';
import { Long, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { registerDocumentStoreContract } from '../document-store.contract';
import { probeDockerEngine } from '../../testing/docker-engine';
import { openMongoDocumentStore } from './index';

// Transactions need a replica set; the module's container is a single-node one.
const MONGO_IMAGE = 'mongo:8.0';
const docker = await probeDockerEngine();

if (!docker.available) {
  console.log(`mongo document store contract skipped: no Docker engine (${docker.reason})`);
  describe.skip('mongo document store', () => {
    it('needs a Docker engine', () => {});
  });
} else {
  let container: StartedMongoDBContainer;
  let client: MongoClient;

  beforeAll(async () => {
    container = await new MongoDBContainer(MONGO_IMAGE).start();
    // Direct: the replica set advertises the container's internal host name, unreachable from here.
    client = new MongoClient(container.getConnectionString(), { directConnection: true });
    await client.connect();
    // The first run may pull the image.
  }, 180_000);
  afterAll(async () => {
    await client?.close();
    await container?.stop();
  });

  // One container for the file, a database per test.
  registerDocumentStoreContract('mongo', async () => {
    const database = `contract_${randomUUID().replaceAll('-', '')}`;
    const store = await openMongoDocumentStore({ client, database });
    return {
      store,
      writeCheckpointWithoutHash: async (name, position) => {
        await client.db(database).collection<{ _id: string; position: Long }>('_checkpoints').insertOne({ _id: name, position: Long.fromBigInt(position) });
      },
      dispose: async () => {
        await store.close();
        await client.db(database).dropDatabase();
      },
    };
  });
}
