import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Doc } from '@otp/platform/document-store';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import type { EventStore } from '@otp/platform/event-store';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { describe, expect, it } from 'vitest';
import { readModelProjectors } from '../projectors/index';
import { createReadModelProjections } from '../read-model-projections';
import { captureLogger } from '../testing/capture-logger';
import { scenario, secrets, type ScenarioEvent } from '../testing/events';
import { useTempFolder } from '../testing/temp-folder';
import { appendAll, dumpReadModels } from '../testing/stores';

const WAIT_MS = 5_000;
const NAMES = readModelProjectors.map((projector) => projector.name);
const REBUILDING =
  'checkpoint was taken on another event history (a restored or replaced event store); rebuilding the read models from the first event';

const temp = useTempFolder('otp-restore-');

/** Closes the store after the test; closing both SQLite stores twice is harmless. */
function opened<T extends { close(): Promise<void> }>(store: T): T {
  temp.closeAfter(() => store.close());
  return store;
}

const events = (name = 'events.sqlite') => opened(openSqliteEventStore({ file: temp.path(name) }));
const readModels = () => opened(openSqliteDocumentStore({ file: temp.path('read-models.sqlite') }));

/** Projects what the event store holds into the read models, then stops; answers what was logged and counted. */
async function project(eventStore: EventStore, documents = readModels()) {
  const { logger, lines } = captureLogger();
  const projections = createReadModelProjections({ eventStore, documents, logger });
  await projections.start();
  const last = (await eventStore.readAll()).at(-1)?.position ?? 0n;
  for (const name of NAMES) expect(await projections.waitForPosition(name, last, WAIT_MS)).toBe(true);
  await projections.stop();
  const statuses = projections.statuses();
  // Every projection saw the same log, so each projected as many events as the others.
  expect(new Set(statuses.map((status) => status.eventsProjected)).size).toBe(1);
  return { documents, lines, status: statuses[0]! };
}

/** The read models a fresh projection of these events gives, over stores of their own. */
async function freshProjection(history: ScenarioEvent[]): Promise<Record<string, Doc[]>> {
  const eventStore = events(`fresh-${randomUUID()}.sqlite`);
  await appendAll(eventStore, history);
  const documents = opened(openSqliteDocumentStore({ file: temp.path(`fresh-read-models-${randomUUID()}.sqlite`) }));
  return dumpReadModels((await project(eventStore, documents)).documents);
}

/** A closed store's file is whole: the last connection's close folds the WAL into it. */
function copyEventsFile(from: string, to: string): void {
  expect(existsSync(temp.path(`${from}-wal`))).toBe(false);
  for (const suffix of ['-wal', '-shm']) rmSync(temp.path(to + suffix), { force: true });
  copyFileSync(temp.path(from), temp.path(to));
}

/** The same events under new ids: another history, with the same projections' shape. */
const retold = (history: ScenarioEvent[]): ScenarioEvent[] =>
  history.map(({ streamName, event }) => ({ streamName, event: { ...event, id: randomUUID() } }));

/**
 * An operator restores `events.sqlite` from a backup, or points the projections at another
 * event store, and keeps `read-models.sqlite`: the embedded layout, two files.
 */
describe('projection runner on an event store restored from a backup, with the read models kept', () => {
  const history = scenario();
  const [early, late] = [history.slice(0, 8), history.slice(8)];

  /** Projects `early`, backs the log up, then appends and projects `late`: the checkpoint is past the backup. */
  async function projectPastBackup(): Promise<void> {
    const before = events();
    await appendAll(before, early);
    await before.close();
    copyEventsFile('events.sqlite', 'backup.sqlite');

    const live = events();
    await appendAll(live, late);
    const { documents } = await project(live);
    for (const name of NAMES) expect((await documents.getCheckpoint(name))?.position).toBe(BigInt(history.length));
    await live.close();
    await documents.close();
  }

  /** One error line per projection, each rebuilding only its own read model. */
  function expectOneRebuildLinePerProjection(lines: Record<string, unknown>[], reason: string): void {
    const errors = lines.filter((line) => (line.level as number) >= 50);
    expect(errors.map((line) => line.projection).sort()).toEqual([...NAMES].sort());
    for (const line of errors) expectRebuildLine(line, reason);
    for (const secret of Object.values(secrets)) expect(JSON.stringify(lines)).not.toContain(secret);
  }

  function expectRebuildLine(line: Record<string, unknown>, reason: string): void {
    expect(line).toEqual({
      level: 50,
      time: expect.any(Number) as unknown,
      pid: expect.any(Number) as unknown,
      hostname: expect.any(String) as unknown,
      component: 'projections',
      projection: expect.any(String) as unknown,
      position: String(history.length),
      reason,
      checkpointHash: expect.stringMatching(/^[0-9a-f]{12}$/) as unknown,
      ...(reason === 'another event at the checkpoint position' ? { foundHash: expect.stringMatching(/^[0-9a-f]{12}$/) as unknown } : {}),
      msg: REBUILDING,
    });
  }

  it('rebuilds the read models when the restored log is shorter than the checkpoint', async () => {
    await projectPastBackup();
    copyEventsFile('backup.sqlite', 'events.sqlite');

    const { documents, lines, status } = await project(events());
    expect(await dumpReadModels(documents)).toEqual(await freshProjection(early));
    expect(status.eventsProjected).toBe(early.length);
    expectOneRebuildLinePerProjection(lines(), 'no event at the checkpoint position');
  });

  it('rebuilds the read models when the restored log has grown past the checkpoint with other events', async () => {
    await projectPastBackup();
    copyEventsFile('backup.sqlite', 'events.sqlite');
    const restored = events();
    // New commands after the restore: the positions the read models passed hold other events now.
    const other = retold(late);
    await appendAll(restored, other);

    const { documents, lines, status } = await project(restored);
    expect(await dumpReadModels(documents)).toEqual(await freshProjection([...early, ...other]));
    expect(status.eventsProjected).toBe(history.length);
    expectOneRebuildLinePerProjection(lines(), 'another event at the checkpoint position');
  });

  it('resumes from the checkpoint when the restored log holds the projected events, projecting only what follows', async () => {
    const first = events();
    await appendAll(first, early);
    const { documents } = await project(first);
    await documents.close();
    await first.close();
    // A backup taken after the projection; events appended after it are lost with the restore.
    copyEventsFile('events.sqlite', 'backup.sqlite');
    const lost = events();
    await appendAll(lost, late);
    await lost.close();
    copyEventsFile('backup.sqlite', 'events.sqlite');
    const restored = events();
    const other = retold(late);
    await appendAll(restored, other);

    const resumed = await project(restored);
    expect(resumed.status.eventsProjected).toBe(other.length);
    expect(resumed.lines().filter((line) => (line.level as number) >= 40)).toEqual([]);
    expect(
      resumed
        .lines()
        .filter((line) => line.msg === 'projection starting')
        .map((line) => line.from),
    ).toEqual(NAMES.map(() => String(early.length)));
    expect(await dumpReadModels(resumed.documents)).toEqual(await freshProjection([...early, ...other]));
  });

  it('resumes a checkpoint written before hashes were, and records the hash with the next commit', async () => {
    const eventStore = events();
    await appendAll(eventStore, early);
    const { documents } = await project(eventStore);
    await documents.close();
    const file = new Database(temp.path('read-models.sqlite'));
    file.prepare(`UPDATE "rm__checkpoint" SET hash = NULL`).run();
    file.close();
    await appendAll(eventStore, late);

    const resumed = await project(eventStore);
    expect(resumed.status.eventsProjected).toBe(late.length);
    expect(resumed.lines().filter((line) => line.msg?.toString().startsWith('checkpoint has no event hash yet'))).toEqual(
      NAMES.map(() => expect.objectContaining({ level: 30, position: String(early.length) }) as unknown),
    );
    const last = (await eventStore.readAll()).at(-1);
    for (const name of NAMES)
      expect(await resumed.documents.getCheckpoint(name)).toEqual({
        position: last?.position,
        hash: last?.metadata.hash,
        version: readModelProjectors.find((projector) => projector.name === name)!.version,
      });
    expect(await dumpReadModels(resumed.documents)).toEqual(await freshProjection(history));
  });
});
