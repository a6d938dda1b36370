import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readModelProjections } from '@otp/contracts';
import type { DocumentStore } from '@otp/platform/document-store';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCheckpointWaiter } from './checkpoint-waiter';

const NAME = readModelProjections.usage;
/** The waiter reads positions only; hash and version are there because every checkpoint has them. */
const at = (position: bigint, name: string = NAME) => ({ name, position, hash: `hash-${position}`, version: 1 });
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
    const waitFor = createCheckpointWaiter(documents);
    expect(await waitFor(NAME, 10n, 1_000)).toBe(true);
    expect(await waitFor(NAME, 3n, 1_000)).toBe(true);
  });

  it('resolves once another process commits the position', async () => {
    const waitFor = createCheckpointWaiter(documents, { intervalMs: 5 });
    const waiting = waitFor(NAME, 7n, 2_000);
    await sleep(30);
    await documents.applyBatch([], at(5n));
    await sleep(30);
    await documents.applyBatch([], at(8n));
    expect(await waiting).toBe(true);
  });

  it('gives up after the timeout, also when there is no checkpoint at all', async () => {
    const waitFor = createCheckpointWaiter(documents, { intervalMs: 5 });
    const started = Date.now();
    expect(await waitFor(NAME, 1n, 60)).toBe(false);
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
    const waitFor = createCheckpointWaiter(counting);
    expect(await Promise.all(Array.from({ length: 50 }, () => waitFor(NAME, 1n, 1_000)))).toEqual(Array(50).fill(true));
    expect(reads).toBe(1);
  });

  it("waits on the named projection's checkpoint only", async () => {
    await documents.applyBatch([], at(9n, readModelProjections.audit));
    await documents.applyBatch([], at(2n, readModelProjections.usage));
    const waitFor = createCheckpointWaiter(documents, { intervalMs: 5 });
    expect(await waitFor(readModelProjections.audit, 9n, 1_000)).toBe(true);
    expect(await waitFor(readModelProjections.usage, 9n, 30)).toBe(false);
    expect(await waitFor(readModelProjections.customers, 1n, 30)).toBe(false);
  });
});
