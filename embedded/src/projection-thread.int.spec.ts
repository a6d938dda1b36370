import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { collections, READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore, type SqliteEventStore } from '@otp/platform/event-store/sqlite';
import { captureLogger } from '../../projection-service/src/testing/capture-logger';
import { expiredAndOpenChallenges } from '../../projection-service/src/testing/challenges';
import { scenario } from '../../projection-service/src/testing/events';
import { DATA_DIR_FILES } from './data-dir-files';
import { startProjectionThread, type ProjectionThread } from './projection-thread';

const workerFile = new URL('./projection-worker.ts', import.meta.url);

/** True once every projection has committed `position`. */
async function allReached(thread: ProjectionThread, position: bigint): Promise<boolean> {
  return (await Promise.all(READ_MODEL_PROJECTIONS.map((name) => thread.waitForPosition(name, position, 5_000)))).every(Boolean);
}

describe('projection thread', () => {
  let dataDir: string;
  let store: SqliteEventStore;
  let thread: ProjectionThread | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'otp-projection-thread-'));
    store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
  });

  afterEach(async () => {
    await thread?.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts a new thread when its thread dies, which resumes from the checkpoint', async () => {
    const events = scenario();
    const [first, ...rest] = events;
    const appended = await store.append(first!.streamName, [first!.event], 'any');
    const { logger, lines } = captureLogger();
    thread = await startProjectionThread({ workerFile, dataDir, logLevel: 'silent', logger });
    expect(await allReached(thread, appended.position)).toBe(true);

    // Stands in for a crash of the thread (out of memory, a native fault).
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(thread.statuses().map((status) => status.state)).toEqual(['failed', 'failed', 'failed']);
    expect(() => thread!.assertRunning()).toThrow(/projection thread exited/);
    expect(lines()).toContainEqual(expect.objectContaining({ msg: 'projection thread died; starting a new one', restartInMs: 500 }));

    let last = appended.position;
    for (const { streamName, event } of rest) last = (await store.append(streamName, [event], 'any')).position;
    await vi.waitFor(() => expect(thread!.statuses().map((status) => status.state)).toEqual(['live', 'live', 'live']), {
      timeout: 10_000,
      interval: 20,
    });
    expect(await allReached(thread, last)).toBe(true);
    // Each event projected once: the new thread started at the checkpoints, not over.
    expect(thread.statuses().map((status) => [status.name, status.eventsProjected])).toEqual(
      READ_MODEL_PROJECTIONS.map((name) => [name, rest.length]),
    );
  });

  it('does not start over when the projections stop at an event they cannot read', async () => {
    await store.append(
      'customer-cus_00000000000000ff',
      [
        {
          id: '00000000-0000-4000-8000-00000000ffff',
          type: 'CustomerTeleported',
          data: { to: 'mars' },
          metadata: {
            schemaVersion: 1,
            occurredAt: new Date().toISOString(),
            tenantId: 'cus_00000000000000ff',
            actor: 'system',
            correlationId: 'x',
            causationId: 'x',
            requestId: 'x',
          },
        },
      ],
      'no_stream',
    );
    const { logger, lines } = captureLogger();
    thread = await startProjectionThread({ workerFile, dataDir, logLevel: 'silent', logger });
    await vi.waitFor(() => expect(thread!.statuses().map((status) => status.state)).toEqual(['failed', 'failed', 'failed']), {
      timeout: 5_000,
      interval: 20,
    });
    await new Promise((r) => setTimeout(r, 700));
    for (const status of thread.statuses()) {
      expect(status).toMatchObject({
        state: 'failed',
        error: expect.objectContaining({ message: expect.stringMatching(/CustomerTeleported/) as string }) as Error,
      });
    }
    expect(() => thread!.assertRunning()).toThrow(/projection customers: .*CustomerTeleported.*; projection usage: .*; projection audit: /);
    expect(lines().filter((l) => l.msg === 'projection thread died; starting a new one')).toEqual([]);
  });

  it('prunes the expired challenges beside its projections', async () => {
    const { last, open } = await expiredAndOpenChallenges(store);
    // The first thread projects the log, so the first pass of the next finds the checkpoint at its last event.
    thread = await startProjectionThread({ workerFile, dataDir, logLevel: 'silent', logger: captureLogger().logger });
    expect(await allReached(thread, last)).toBe(true);
    await thread.stop();
    thread = await startProjectionThread({ workerFile, dataDir, logLevel: 'silent', logger: captureLogger().logger });

    const documents = openSqliteDocumentStore({ file: join(dataDir, DATA_DIR_FILES.readModels) });
    try {
      await vi.waitFor(
        async () => expect((await documents.find(collections.usageChallenges, {})).map((challenge) => challenge._id)).toEqual(open),
        { timeout: 5_000, interval: 50 },
      );
    } finally {
      await documents.close();
    }
  });
});
