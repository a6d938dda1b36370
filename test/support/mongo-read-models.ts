import { MongoClient } from 'mongodb';

/** What a read-model database holds, without the adapter's own fields and collections (`_checkpoints`, `_leases`, ...) or empty ones. */
export async function readModelDocuments(url: string, database: string): Promise<Record<string, unknown[]>> {
  const client = new MongoClient(url);
  try {
    const db = client.db(database);
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((name) => !name.startsWith('_'));
    const all: Record<string, unknown[]> = {};
    for (const name of names.sort()) {
      const docs = await db
        .collection<{ _id: string }>(name)
        .find({}, { projection: { _appliedPosition: 0 } })
        .sort({ _id: 1 })
        .toArray();
      // An empty collection is no read model of its own: one projector may create it (an index), another never write it.
      if (docs.length > 0) all[name] = docs;
    }
    return all;
  } finally {
    await client.close();
  }
}

/** Waits until every named checkpoint of the database is at `position` or past it: the followers have caught up. */
export async function waitForCheckpoints(url: string, database: string, names: readonly string[], position: bigint): Promise<void> {
  const client = new MongoClient(url);
  try {
    const checkpoints = client.db(database).collection<{ _id: string; position?: number | bigint }>('_checkpoints');
    for (let attempt = 0; attempt < 300; attempt++) {
      const found = await checkpoints.find({ _id: { $in: [...names] } }).toArray();
      const at = found.filter((doc) => doc.position !== undefined && BigInt(doc.position) >= position);
      if (at.length === names.length) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`checkpoints ${names.join(', ')} of ${database} did not reach ${position}`);
  } finally {
    await client.close();
  }
}
