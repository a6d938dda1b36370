import { MongoServerError, type Db } from 'mongodb';
import { checkpoints } from './mongo-batch';

/** Leading `_`, as the other adapter collections: no read model can be named so. */
export const LEASES = '_leases';

type LeaseDoc = { _id: string; owner: string; token: number; expiresAt: number };

const DUPLICATE_KEY = 11000;
const leases = (db: Db) => db.collection<LeaseDoc>(LEASES);

/**
 * Each step is one conditional single-document write, atomic on MongoDB and FerretDB alike:
 * renew while ours, else take it once expired (a new token), else create it (the first holder).
 */
export async function acquireLease(db: Db, name: string, owner: string, ttlMs: number): Promise<number | undefined> {
  const now = Date.now();
  const expiresAt = now + ttlMs;
  const renewed = await leases(db).findOneAndUpdate({ _id: name, owner }, { $set: { expiresAt } }, { returnDocument: 'after' });
  if (renewed) return renewed.token;
  const taken = await leases(db).findOneAndUpdate(
    { _id: name, expiresAt: { $lt: now } },
    { $set: { owner, expiresAt }, $inc: { token: 1 } },
    { returnDocument: 'after' },
  );
  if (taken) return taken.token;
  try {
    await leases(db).insertOne({ _id: name, owner, token: 1, expiresAt });
    return 1;
  } catch (error) {
    // Another instance holds it, or created it a moment before us.
    if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return undefined;
    throw error;
  }
}

export async function releaseLease(db: Db, name: string, owner: string): Promise<void> {
  await leases(db).updateOne({ _id: name, owner }, { $set: { expiresAt: 0 } });
}

/** Never lowers it: the filter matches only a fence below the token, and a higher one stays. */
export async function raiseFence(db: Db, checkpointName: string, token: number): Promise<void> {
  try {
    await checkpoints(db).updateOne(
      { _id: checkpointName, $or: [{ fence: { $exists: false } }, { fence: { $lt: token } }] },
      { $set: { fence: token } },
      { upsert: true },
    );
  } catch (error) {
    // The document exists with a fence at or above the token: nothing to raise.
    if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
  }
}
