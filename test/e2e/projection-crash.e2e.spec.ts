import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle } from '../support/build';
import { seedLogins } from '../support/seed-logins';
import { OPERATOR_TOKEN, startServer } from '../support/server-process';

const LOGINS = 20_000; // five events each: 100k events to project

const serverEnv = (dataDir: string) => ({ DATA_DIR: dataDir, OPERATOR_TOKEN });

const lastPosition = (dataDir: string): number => {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT MAX(position) AS last FROM events').get() as { last: number }).last;
  } finally {
    db.close();
  }
};

/** Each projection's checkpoint, read from the file as the server leaves it (another connection may be writing: WAL). */
function checkpoints(dataDir: string): Map<string, number> {
  const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT name, position FROM "rm__checkpoint"').all() as { name: string; position: number }[];
    return new Map(rows.map((row) => [row.name, row.position]));
  } catch {
    return new Map(); // not created yet
  } finally {
    db.close();
  }
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const caughtUp = (dataDir: string, last: number) => () => {
  const positions = [...checkpoints(dataDir).values()];
  return positions.length >= 3 && positions.every((position) => position >= last);
};

/** Every read-model table's rows, in key order: the whole derived state, without checkpoints, leases and fences (a writer's bookkeeping). */
function readModels(dataDir: string): Record<string, unknown[]> {
  const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm\\_%' ESCAPE '\\' AND name NOT LIKE 'rm\\_\\_%' ESCAPE '\\'",
      )
      .all() as { name: string }[];
    return Object.fromEntries(tables.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all()]));
  } finally {
    db.close();
  }
}

describe('embedded server killed (SIGKILL) in the middle of projecting 100k events', () => {
  const crashed = mkdtempSync(join(tmpdir(), 'otp-projection-crash-'));
  const uninterrupted = mkdtempSync(join(tmpdir(), 'otp-projection-whole-'));
  let last = 0;

  beforeAll(async () => {
    buildBundle();
    // A first start makes the data dir's secrets and its signing keys, as a real deployment's would be.
    const first = await startServer(serverEnv(crashed));
    await first.stop();
    await seedLogins(crashed, LOGINS);
    last = lastPosition(crashed);
    rmSync(uninterrupted, { recursive: true, force: true });
    cpSync(crashed, uninterrupted, { recursive: true });
  }, 300_000);

  afterAll(() => {
    rmSync(crashed, { recursive: true, force: true });
    rmSync(uninterrupted, { recursive: true, force: true });
  });

  it('ends with the same read models as an uninterrupted run: no event counted twice, none skipped', async () => {
    expect(last).toBeGreaterThan(100_000);

    const server = await startServer(serverEnv(crashed));
    // Killed while every projection is part way: some batches committed, the rest not yet read.
    await until(
      () => {
        const positions = [...checkpoints(crashed).values()];
        return positions.length >= 3 && Math.min(...positions) > last * 0.1;
      },
      120_000,
      'the projections to pass a tenth of the log',
    );
    await server.kill();
    const atKill = checkpoints(crashed);
    expect(Math.min(...atKill.values())).toBeLessThan(last);

    const restarted = await startServer(serverEnv(crashed));
    await until(caughtUp(crashed, last), 240_000, 'the restarted server to catch up');
    await restarted.stop();

    const whole = await startServer(serverEnv(uninterrupted));
    await until(caughtUp(uninterrupted, last), 240_000, 'the uninterrupted server to catch up');
    await whole.stop();

    const after = readModels(crashed);
    expect(Object.keys(after).length).toBeGreaterThanOrEqual(3);
    expect(after).toEqual(readModels(uninterrupted));
  }, 600_000);
});
