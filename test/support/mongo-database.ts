import { MongoClient } from 'mongodb';

/** Removes a run's database from the shared server, so runs do not pile up in it. */
export async function dropDatabase(url: string, database: string): Promise<void> {
  const client = new MongoClient(url);
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}
