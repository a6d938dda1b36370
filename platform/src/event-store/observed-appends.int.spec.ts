import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteEventStore } from './sqlite';
import { observeAppends } from './observed-appends';
import { WrongExpectedRevisionError, type EventToAppend } from './port';

describe('observeAppends', () => {
  it('reports confirmed appends only, and leaves every other call to the store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'otp-observed-'));
    const store = openSqliteEventStore({ file: join(dir, 'events.sqlite') });
    const seen: string[] = [];
    const observed = observeAppends(store, (events) => seen.push(...events.map((e) => e.type)));
    const event = (type: string): EventToAppend => ({ id: randomUUID(), type, data: {}, metadata: {} });

    await observed.append('s-1', [event('A'), event('B')], 'no_stream');
    await expect(observed.append('s-1', [event('C')], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(seen).toEqual(['A', 'B']);
    expect((await observed.readStream('s-1')).map((e) => e.type)).toEqual(['A', 'B']);
    await observed.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
