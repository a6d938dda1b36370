import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { registerDocumentStoreContract } from '../document-store.contract';
import { openSqliteDocumentStore } from './index';

const dir = mkdtempSync(join(tmpdir(), 'otp-docstore-'));
let counter = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

registerDocumentStoreContract('sqlite', async () => {
  // A real file, so WAL and the busy timeout are exercised as in production.
  const file = join(dir, `store-${++counter}.sqlite`);
  const store = openSqliteDocumentStore({ file });
  return {
    store,
    dispose: async () => {
      await store.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    },
  };
});
