import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openSqliteEventStore, type SqliteEventStore } from '@otp/platform/event-store/sqlite';
import { captureLogger } from '../../projection-service/src/testing/capture-logger';
import { scenario } from '../../projection-service/src/testing/events';
import { startProjectionThread, type ProjectionThread } from './projection-thread';

const workerFile = new URL('./projection-worker.ts', import.meta.url);

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
    await expect(thread.waitForPosition(appended.position, 5_000)).resolves.toBe(true);

    // Stands in for a crash of the thread (out of memory, a native fault).
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(thread.status()).toMatchObject({ state: 'failed' });
    expect(() => thread!.assertRunning()).toThrow(/projection thread exited/);
    expect(lines()).toContainEqual(expect.objectContaining({ msg: 'projection thread died; starting a new one', restartInMs: 500 }));

    let last = appended.position;
    for (const { streamName, event } of rest) last = (await store.append(streamName, [event], 'any')).position;
    await vi.waitFor(() => expect(thread!.status().state).toBe('live'), { timeout: 10_000, interval: 20 });
    await expect(thread.waitForPosition(last, 5_000)).resolves.toBe(true);
    // Each event projected once: the new thread started at the checkpoint, not over.
    expect(thread.status().eventsProjected).toBe(rest.length);
  });

  it('does not start over when the projections stop at an event they cannot read', async () => {
    await store.append('customer-cus_00000000000000ff', [{
      id: '00000000-0000-4000-8000-00000000ffff',
      type: 'CustomerTeleported',
      data: { to: 'mars' },
      metadata: { schemaVersion: 1, occurredAt: new Date().toISOString(), tenantId: 'cus_00000000000000ff', actor: 'system', correlationId: 'x', causationId: 'x', requestId: 'x' },
    }], 'no_stream');
    const { logger, lines } = captureLogger();
    thread = await startProjectionThread({ workerFile, dataDir, logLevel: 'silent', logger });
    await vi.waitFor(() => expect(thread!.status().state).toBe('failed'), { timeout: 5_000, interval: 20 });
    await new Promise((r) => setTimeout(r, 700));
    expect(thread.status()).toMatchObject({ state: 'failed', error: expect.objectContaining({ message: expect.stringMatching(/CustomerTeleported/) as string }) as Error });
    expect(lines().filter((l) => l.msg === 'projection thread died; starting a new one')).toEqual([]);
  });
});
