import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streams } from '@otp/contracts';
import { StreamStateCache } from '@otp/platform/event-store';
import { openSqliteEventStore, type SqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createLogger } from '@otp/platform/logging';
import { createCommandHandler } from '../handling/command-handler';
import { createKeyUseRecorder } from './key-use-recorder';

/** Two recorders over one SQLite file are two instances: each key's use lands once a minute between them. */
describe('recording the last use of a key', () => {
  const logger = createLogger({ level: 'silent' });
  const customerId = 'cus_00000000000000a1';
  const principal = {
    customerId,
    keyId: 'key_0000000000a1',
    scopes: ['otp:write' as const],
    kind: 'secret' as const,
    plan: 'free' as const,
  };
  let dir: string;
  let stores: SqliteEventStore[];
  const instance = () => {
    const eventStore = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    stores.push(eventStore);
    return createKeyUseRecorder({ commands: createCommandHandler({ eventStore, states: new StreamStateCache() }), logger });
  };
  const recorded = async () => (await stores[0]!.readStream(streams.keyUse(customerId))).map((e) => [e.type, e.data.minute]);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'otp-key-use-'));
    stores = [];
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends one event for many uses within a minute, and one for the next minute', async () => {
    const keyUse = instance();
    for (const second of [1, 20, 59]) keyUse.record(principal, new Date(`2025-03-01T12:00:${String(second).padStart(2, '0')}.000Z`));
    keyUse.record(principal, new Date('2025-03-01T12:01:05.000Z'));
    await keyUse.idle();
    expect(await recorded()).toEqual([
      ['ApiKeyUsed', '2025-03-01T12:00:00.000Z'],
      ['ApiKeyUsed', '2025-03-01T12:01:00.000Z'],
    ]);
  });

  it('appends one event when two instances see the key in the same minute', async () => {
    const [a, b] = [instance(), instance()];
    a.record(principal, new Date('2025-03-01T12:00:10.000Z'));
    await a.idle();
    b.record(principal, new Date('2025-03-01T12:00:30.000Z'));
    await b.idle();
    expect(await recorded()).toEqual([['ApiKeyUsed', '2025-03-01T12:00:00.000Z']]);
  });
});
