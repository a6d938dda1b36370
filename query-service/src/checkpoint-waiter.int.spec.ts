import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DocumentStore } from '@otp/platform/document-store';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCheckpointWaiter } from './checkpoint-waiter';

const NAME = 'read-models';
/** The waiter reads positions only; the hash is there because every checkpoint has one. */
const at = (position: bigint) => ({ name: NAME, position, hash: `hash-${position}` });
let dir: string;
let documents: DocumentStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'otp-checkpoint-'));
  documents = openSqliteDocumentStore({ file: join(dir, 'read-models.sqlite') });
});
afterEach(async () => {
  await documents.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('checkpoint waiter', () => {
  it('answers at once when the checkpoint is already at or past the position', async () => {
    await documents.applyBatch([], at(10n));
    const waitFor = createCheckpointWaiter(documents, NAME);
    expect(await waitFor(10n, 1_000)).toBe(true);
    expect(await waitFor(3n, 1_000)).toBe(true);
  });

  it('resolves once another process commits the position', async () => {
    const waitFor = createCheckpointWaiter(documents, NAME, { intervalMs: 5 });
    const waiting = waitFor(7n, 2_000);
    await sleep(30);
    await documents.applyBatch([], at(5n));
    await sleep(30);
    await documents.applyBatch([], at(8n));
    expect(await waiting).toBe(true);
  });

  it('gives up after the timeout, also when there is no checkpoint at all', async () => {
    const waitFor = createCheckpointWaiter(documents, NAME, { intervalMs: 5 });
    const started = Date.now();
    expect(await waitFor(1n, 60)).toBe(false);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('shares one read among concurrent waiters', async () => {
    let reads = 0;
    const counting = {
      getCheckpoint: async (name: string) => {
        reads += 1;
        await sleep(10);
        return documents.getCheckpoint(name);
      },
    };
    await documents.applyBatch([], at(1n));
    const waitFor = createCheckpointWaiter(counting, NAME);
    expect(await Promise.all(Array.from({ length: 50 }, () => waitFor(1n, 1_000)))).toEqual(Array(50).fill(true));
    expect(reads).toBe(1);
  });
});
