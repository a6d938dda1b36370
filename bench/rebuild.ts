// The rebuild figures of `npm run bench` (issue 12): a log of BENCH_REBUILD_EVENTS events
// (1M by default) read raw from SQLite (the ceiling), projected from scratch by the three
// read-model projections together (what a new deployment's first start or a restored backup
// costs), and one projection rebuilt beside the live one and swapped in (`npm run rebuild`).
// Run alone with `node --import tsx bench/rebuild.ts`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createLogger } from '@otp/platform/logging';
import { createReadModelProjections } from '../projection-service/src/read-model-projections';
import { rebuildBeside } from '../projection-service/src/rebuild/index';
import { usageProjector } from '../projection-service/src/projectors/index';
import { otpRequested } from './servers';

const logger = createLogger({ level: 'warn' });
const EVENTS_PER_APPEND = 500;

export interface RebuildFigures {
  events: number;
  rawReadSeconds: number;
  /** All three projections from an empty read-model file, each following the log on its own. */
  rebuildAllSeconds: number;
  /** The usage projection alone, beside the live one, swap included. */
  rebuildUsageBesideSeconds: number;
}

const progress = (what: string, done: number, total: number, startedAt: number) => {
  const seconds = (performance.now() - startedAt) / 1000;
  process.stderr.write(
    `bench rebuild: ${what} ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${Math.round(done / seconds).toLocaleString('en')}/s)\n`,
  );
};

async function seed(file: string, total: number): Promise<bigint> {
  const store = openSqliteEventStore({ file });
  const startedAt = performance.now();
  let last = 0n;
  try {
    // Events of one stream go together, as a busy stream's commands would group-commit them.
    for (let from = 0; from < total; from += EVENTS_PER_APPEND * 8) {
      const byStream = new Map<string, ReturnType<typeof otpRequested>['event'][]>();
      for (let i = from; i < Math.min(total, from + EVENTS_PER_APPEND * 8); i++) {
        const { streamName, event } = otpRequested(i);
        byStream.set(streamName, [...(byStream.get(streamName) ?? []), event]);
      }
      const results = await Promise.all([...byStream].map(([stream, events]) => store.append(stream, events, 'any')));
      for (const result of results) if (result.position > last) last = result.position;
      if ((from / (EVENTS_PER_APPEND * 8)) % 50 === 0) progress('seeding', from, total, startedAt);
    }
  } finally {
    await store.close();
  }
  return last;
}

function rawRead(file: string): number {
  const db = new Database(file, { readonly: true });
  const startedAt = performance.now();
  let count = 0;
  for (const row of db.prepare('SELECT type, data, metadata FROM events ORDER BY position').iterate() as Iterable<{
    data: string;
    metadata: string;
  }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    count++;
  }
  db.close();
  if (count === 0) throw new Error('nothing to read');
  return (performance.now() - startedAt) / 1000;
}

async function until(condition: () => boolean, onTick: () => void): Promise<void> {
  let ticks = 0;
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (++ticks % 250 === 0) onTick();
  }
}

export async function runRebuildBench(total = Number(process.env.BENCH_REBUILD_EVENTS ?? 1_000_000)): Promise<RebuildFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'otp-bench-rebuild-'));
  try {
    const eventsFile = join(dir, 'events.sqlite');
    const last = await seed(eventsFile, total);
    const rawReadSeconds = rawRead(eventsFile);

    const eventStore = openSqliteEventStore({ file: eventsFile });
    const documents = openSqliteDocumentStore({ file: join(dir, 'read-models.sqlite') });
    try {
      const group = createReadModelProjections({ eventStore, documents, logger });
      const startedAt = performance.now();
      await group.start();
      await until(
        () => group.statuses().every((status) => (status.position ?? 0n) >= last),
        () => progress('projecting', Math.min(...group.statuses().map((s) => Number(s.position ?? 0n))), Number(last), startedAt),
      );
      const rebuildAllSeconds = (performance.now() - startedAt) / 1000;

      const besideStartedAt = performance.now();
      await rebuildBeside({ projector: usageProjector, eventStore, documents, logger, live: group.runners.get(usageProjector.name)! });
      const rebuildUsageBesideSeconds = (performance.now() - besideStartedAt) / 1000;
      await group.stop();
      return { events: total, rawReadSeconds, rebuildAllSeconds, rebuildUsageBesideSeconds };
    } finally {
      await documents.close();
      await eventStore.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await runRebuildBench();
  console.log(figures);
}
