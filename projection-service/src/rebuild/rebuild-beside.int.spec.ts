import { randomUUID } from 'node:crypto';
import { collections } from '@otp/contracts';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { describe, expect, it } from 'vitest';
import { createReadModelProjections } from '../read-model-projections';
import { captureLogger } from '../testing/capture-logger';
import { scenario } from '../testing/events';
import { appendAll, dumpReadModels } from '../testing/stores';
import { useTempFolder } from '../testing/temp-folder';
import type { RebuildProgress } from './rebuild-beside';
import { RebuildInProgressError } from './rebuild-in-progress';

const temp = useTempFolder('otp-rebuild-');
const WAIT_MS = 5_000;

function openStores() {
  const file = temp.path(`${randomUUID()}.sqlite`);
  const eventStore = openSqliteEventStore({ file });
  const documents = openSqliteDocumentStore({ file });
  temp.closeAfter(
    () => eventStore.close(),
    () => documents.close(),
  );
  return { eventStore, documents };
}

describe('rebuilding a projection beside the live one', () => {
  it('replaces damaged read models with a fresh projection, serving the old ones until the swap, and goes on projecting after it', async () => {
    // The reference: the whole scenario, projected by a plain run.
    const reference = openStores();
    const events = scenario();
    const half = Math.floor(events.length / 2);
    const end = await appendAll(reference.eventStore, events);
    const plain = createReadModelProjections({ ...reference, logger: captureLogger().logger });
    await plain.start();
    for (const name of ['usage', 'audit', 'customers']) expect(await plain.waitForPosition(name, end, WAIT_MS)).toBe(true);
    await plain.stop();
    const expected = await dumpReadModels(reference.documents);

    const { eventStore, documents } = openStores();
    const first = await appendAll(eventStore, events.slice(0, half));
    const { logger, lines } = captureLogger();
    const group = createReadModelProjections({ eventStore, documents, logger });
    temp.closeAfter(() => group.stop());
    await group.start();
    for (const name of ['usage', 'audit', 'customers']) expect(await group.waitForPosition(name, first, WAIT_MS)).toBe(true);
    // A projector bug, as an operator would find it: a usage bucket written wrong.
    const [bucket] = await documents.find(collections.usage, { limit: 1 });
    await documents.applyBatch([{ kind: 'put', collection: collections.usage, doc: { ...bucket!, otpRequested: 999 } }], {
      name: 'damage',
      position: 1n,
      hash: 'x',
      version: 1,
    });
    const damaged = await dumpReadModels(documents);

    const seen: RebuildProgress[] = [];
    const answersDuringRebuild: unknown[] = [];
    const rebuilt = await group.rebuild('usage', (progress) => {
      seen.push(progress);
      // The live collections answer until the swap: still the damaged bucket, never a half-built one.
      if (progress.phase === 'building') answersDuringRebuild.push(documents.get(collections.usage, bucket!._id));
    });
    expect(rebuilt.phase).toBe('done');
    expect(rebuilt.position).toBe(first);
    expect(seen.map((p) => p.phase)).toContain('swapping');
    for (const answer of await Promise.all(answersDuringRebuild)) expect(answer).toMatchObject({ otpRequested: 999 });
    expect(lines().some((line) => line.msg === 'projection rebuilt beside the live one and swapped in')).toBe(true);

    // Only usage was rebuilt; the rest of the read models are the live ones, untouched.
    const after = await dumpReadModels(documents);
    expect(after[collections.usage]).not.toEqual(damaged[collections.usage]);
    expect(after[collections.audit]).toEqual(damaged[collections.audit]);

    // The live runner resumed from the rebuilt checkpoint: the rest of the log is counted once.
    const last = await appendAll(eventStore, events.slice(half));
    expect(await group.waitForPosition('usage', last, WAIT_MS)).toBe(true);
    expect(await group.waitForPosition('audit', last, WAIT_MS)).toBe(true);
    expect(await group.waitForPosition('customers', last, WAIT_MS)).toBe(true);
    expect(await dumpReadModels(documents)).toEqual(expected);
    expect(await documents.getCheckpoint('usage_rebuild')).toBeUndefined();
  });

  it('gives a rebuild up before its swap when the projections stop (a lost lease), and leaves the live runner stopped', async () => {
    const { eventStore, documents } = openStores();
    const end = await appendAll(eventStore, scenario());
    const group = createReadModelProjections({ eventStore, documents, logger: captureLogger().logger });
    temp.closeAfter(() => group.stop());
    await group.start();
    expect(await group.waitForPosition('usage', end, WAIT_MS)).toBe(true);
    const live = await dumpReadModels(documents);

    const rebuilding = group.rebuild('usage');
    await expect(group.rebuild('usage')).rejects.toBeInstanceOf(RebuildInProgressError);
    await group.stop();
    await expect(rebuilding).rejects.toThrow(/stopped before the rebuild was swapped in/);
    // Whoever holds the read models now resumes them: this group started nothing again.
    expect(group.runners.get('usage')!.status().state).toBe('stopped');
    expect(await dumpReadModels(documents)).toEqual(live);
    expect((await documents.getCheckpoint('usage'))?.position).toBe(end);

    // What it left beside the live collections is dropped by the next rebuild.
    await group.start();
    expect((await group.rebuild('usage')).phase).toBe('done');
    expect(await documents.getCheckpoint('usage_rebuild')).toBeUndefined();
    expect(await dumpReadModels(documents)).toEqual(live);
  });

  it('refuses a projection it does not know', async () => {
    const { eventStore, documents } = openStores();
    const group = createReadModelProjections({ eventStore, documents, logger: captureLogger().logger });
    await expect(group.rebuild('nonsense')).rejects.toThrow(/no projection nonsense/);
  });
});
