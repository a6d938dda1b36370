import { randomUUID } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountSmallFilesystem, type SmallFilesystem } from '../../testing/small-filesystem';
import { EventStoreUnavailableError } from '../port';
import { openSqliteEventStore, type SqliteEventStore } from './sqlite-event-store';

const fs: SmallFilesystem = mountSmallFilesystem(2);
if (!fs.available) console.log(`sqlite disk-full tests not run: ${fs.reason} (they need root to mount a 2 MB tmpfs)`);

const event = (n: number) => ({ id: randomUUID(), type: 'Filled', data: { n, padding: 'x'.repeat(2_000) }, metadata: { tenantId: 't' } });

describe.skipIf(!fs.available).each(['inline', 'thread'] as const)('SQLite event store on a full disk (%s writer)', (writer) => {
  let store: SqliteEventStore;
  let dir: string;
  const filler = () => join(dir, `filler-${writer}`);

  beforeAll(() => {
    if (!fs.available) return;
    dir = fs.dir;
    store = openSqliteEventStore({ file: join(dir, `events-${writer}.sqlite`), writer });
  });
  afterAll(async () => {
    await store?.close();
    rmSync(filler(), { force: true });
  });

  it('refuses appends with the retryable error, fails its ping, and recovers once there is room', async () => {
    await store.append('fill-0', [event(0)], 'no_stream');
    await store.ping();
    // Everything left goes to a file, so the next WAL frames have nowhere to go.
    try {
      writeFileSync(filler(), Buffer.alloc(4 << 20));
    } catch {
      // ENOSPC: the filler took what there was.
    }
    const refused = await store.append('fill-1', [event(1)], 'no_stream').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EventStoreUnavailableError);
    expect((refused as Error).message).toMatch(/^event store cannot write: .*\(SQLITE_FULL\)$/);
    await expect(store.ping()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect((await store.readStream('fill-1')).length).toBe(0);

    rmSync(filler());
    await store.append('fill-1', [event(1)], 'no_stream');
    await store.ping();
    expect((await store.readAll()).map((e) => e.streamName)).toEqual(['fill-0', 'fill-1']);
  });
});

afterAll(() => {
  if (fs.available) fs.release();
});
