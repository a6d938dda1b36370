import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger } from '../../../projection-service/src/testing/capture-logger';
import { backupDataDir } from './backup-data-dir';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'otp-backup-unit-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const noted = (i: number) => ({ id: randomUUID(), type: 'Noted', data: { i, padding: 'x'.repeat(2_000) }, metadata: {} });

describe('backupDataDir', () => {
  it('steps through a quiet event store, and finishes in one step once a commit restarts the copy', async () => {
    const dataDir = join(root, 'data');
    mkdirSync(dataDir);
    const store = openSqliteEventStore({ file: join(dataDir, 'events.sqlite') });
    for (let i = 0; i < 300; i++) await store.append(`s-${i}`, [noted(i)], 'no_stream');

    const quiet = captureLogger();
    const first = await backupDataDir(dataDir, join(root, 'quiet'), quiet.logger, { stepPages: 20 });
    expect(first.events).toBe(300);
    expect(quiet.lines().some((line) => String(line['msg']).includes('finishing in one step'))).toBe(false);

    // Commits land between the copy's steps (both take turns on this event loop).
    let writing = true;
    let written = 300;
    const writer = (async () => {
      while (writing) await store.append(`s-${written}`, [noted(written++)], 'no_stream');
    })();
    const busy = captureLogger();
    const second = await backupDataDir(dataDir, join(root, 'busy'), busy.logger, { stepPages: 20 });
    writing = false;
    await writer;
    await store.close();

    expect(busy.lines().some((line) => String(line['msg']).includes('finishing in one step'))).toBe(true);
    // A snapshot: at least what was there before, at most what was written by the end, and whole (integrity_check passed).
    expect(second.events).toBeGreaterThanOrEqual(300);
    expect(second.events).toBeLessThanOrEqual(written);
    expect(Number(second.lastPosition)).toBe(second.events);
  });
});
