import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RUNNING_HASH_GENESIS, runningHash } from '@otp/contracts';
import { openSqliteEventStore, type SqliteEventStore } from '@otp/platform/event-store/sqlite';
import { HISTORY_PAGE_SIZE } from './tenant-history';
import { TenantHeads } from './tenant-checkpoint';

/** The running hash a checkpoint signs, remembered per process and extended by what the history grew. */
describe('the tenant heads checkpoints sign', () => {
  const acme = 'cus_00000000000000a1';
  const globex = 'cus_00000000000000b2';
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-tenant-heads-'));
    store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** `count` events of `tenantId`, on streams of its own, appended 500 at a time. */
  async function append(tenantId: string, count: number): Promise<void> {
    for (let done = 0; done < count; done += 500) {
      const events = Array.from({ length: Math.min(500, count - done) }, (_, i) => ({
        id: randomUUID(),
        type: 'Noted',
        data: { n: done + i },
        metadata: { tenantId },
      }));
      await store.append(`notes-${tenantId}-${randomUUID()}`, events, 'no_stream');
    }
  }
  /** The head as one fresh pass over every stored event computes it. */
  async function folded(tenantId: string): Promise<{ sequence: number; head: string }> {
    const events = await store.readTenant(tenantId);
    return { sequence: events.length, head: events.reduce((head, event) => runningHash(head, event.metadata.hash), RUNNING_HASH_GENESIS) };
  }

  it('reads only what the history grew since its last pass, and gives the head a whole pass gives', async () => {
    let pages = 0;
    const heads = new TenantHeads(store, () => (pages += 1));
    await append(acme, 2 * HISTORY_PAGE_SIZE + 500);
    await append(globex, 10);
    expect(await heads.head(acme)).toMatchObject(await folded(acme));
    expect(pages).toBe(3);

    await append(acme, 7);
    pages = 0;
    const grown = await heads.head(acme);
    expect(grown).toMatchObject(await folded(acme));
    expect(grown.sequence).toBe(2 * HISTORY_PAGE_SIZE + 507);
    expect(pages).toBe(1);
    // Another process, remembering nothing, agrees.
    expect(await new TenantHeads(store).head(acme)).toEqual(grown);
    expect(await heads.head(globex)).toMatchObject(await folded(globex));
  });

  it('shares one pass between asks that come while it runs', async () => {
    let pages = 0;
    const heads = new TenantHeads(store, () => (pages += 1));
    await append(acme, 2 * HISTORY_PAGE_SIZE);
    const [first, second] = await Promise.all([heads.head(acme), heads.head(acme)]);
    expect(second).toEqual(first);
    expect(pages).toBe(3);
  });

  it('answers the empty history of a tenant with no events yet', async () => {
    expect(await new TenantHeads(store).head(acme)).toEqual({ sequence: 0, head: RUNNING_HASH_GENESIS });
  });
});
