import { FencedOutError, type Checkpoint, type WriteOp } from '@otp/platform/document-store';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { describe, expect, it } from 'vitest';
import { useTempFolder } from '../testing/temp-folder';
import { fencedDocuments } from './fenced-documents';

describe('fenced documents', () => {
  const folder = useTempFolder('otp-fenced-');
  const at = (position: bigint): Checkpoint => ({ name: 'usage', position, hash: `h${position}`, version: 1 });
  const hit: WriteOp = { kind: 'update', collection: 'counters', id: 'tenant', upsert: true, update: { $inc: { hits: 1 } } };

  it("refuses the former holder's next batch once the new holder has read the checkpoint, and keeps what it committed before", async () => {
    const store = openSqliteDocumentStore({ file: folder.path('read-models.sqlite') });
    folder.closeAfter(() => store.close());
    const former = fencedDocuments(store, 1);
    const next = fencedDocuments(store, 2);

    expect(await former.getCheckpoint('usage')).toBeUndefined();
    await former.applyBatch([hit], at(1n));
    // The new holder takes over while the former one is paused, not knowing it lost the lease.
    expect(await next.getCheckpoint('usage')).toMatchObject({ position: 1n });
    await expect(former.applyBatch([hit], at(2n))).rejects.toThrow(FencedOutError);
    await next.applyBatch([hit], at(2n));

    expect(await store.get('counters', 'tenant')).toEqual({ _id: 'tenant', hits: 2 });
    expect(await store.getCheckpoint('usage')).toMatchObject({ position: 2n });
  });

  it('keeps the fence up across a reset, which drops the checkpoint', async () => {
    const store = openSqliteDocumentStore({ file: folder.path('read-models.sqlite') });
    folder.closeAfter(() => store.close());
    const next = fencedDocuments(store, 2);
    await next.getCheckpoint('usage');
    await next.reset(['counters'], 'usage');
    await expect(fencedDocuments(store, 1).applyBatch([hit], at(1n))).rejects.toThrow(FencedOutError);
    expect(await store.get('counters', 'tenant')).toBeUndefined();
  });
});
