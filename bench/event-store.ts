/**
 * Event store append throughput against the floor set by the disk: raw better-sqlite3
 * single-row INSERT transactions with the same pragmas (WAL, synchronous=FULL, so one fsync
 * per commit). Sequential appends pay one commit each, so they should stay close to raw;
 * concurrent appends share commits (group commit), so they should beat it.
 *
 * Run on its own: node --import tsx bench/event-store.ts [seconds-per-kind]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import type { EventToAppend } from '@otp/platform/event-store';

export interface EventStoreBenchOptions {
  /** Time budget of each kind of measurement, split over the rounds. Default 3 s. */
  seconds?: number;
  /** Upper bound of operations of each kind, split over the rounds. */
  maxOps?: number;
  /** Interleaved rounds of raw / sequential / concurrent. Default 5. */
  rounds?: number;
  concurrency?: number;
  /** Where the store commits: 'thread' is what the embedded server runs. Default 'thread'. */
  writer?: 'inline' | 'thread';
  log?: (line: string) => void;
}

export interface Measurement {
  ops: number;
  seconds: number;
  perSecond: number;
}

export interface EventStoreBenchResult {
  raw: Measurement;
  sequential: Measurement;
  concurrent: Measurement;
  /** sequential / raw; target ≥ 0.7 */
  sequentialVsRaw: number;
  /** concurrent / raw; target > 1 */
  concurrentVsRaw: number;
}

export async function runEventStoreBench(options: EventStoreBenchOptions = {}): Promise<EventStoreBenchResult> {
  const seconds = options.seconds ?? 3;
  const maxOps = options.maxOps ?? 200_000;
  const concurrency = options.concurrency ?? 50;
  const log = options.log ?? ((line: string) => console.log(line));
  const rounds = Math.max(1, options.rounds ?? 5);
  const slice = seconds / rounds;
  const opsPerSlice = Math.ceil(maxOps / rounds);
  const dir = await mkdtemp(join(tmpdir(), 'otp-es-bench-'));
  const raw = new Db(new Database(join(dir, 'raw.db')));
  const writer = options.writer ?? 'thread';
  const store = openSqliteEventStore({ file: join(dir, 'events.db'), writer });
  try {
    log(
      `[event-store bench] ${dir}, ${writer} writer: ${rounds} rounds of raw / sequential / ${concurrency} concurrent, ${slice.toFixed(1)} s or ${opsPerSlice} ops each`,
    );
    const totals = { raw: [] as Measurement[], sequential: [] as Measurement[], concurrent: [] as Measurement[] };
    let n = 0;
    // Interleaved rounds: the machine is shared, and a ratio between figures taken under
    // different background load would say little.
    for (let round = 1; round <= rounds; round++) {
      const r = raw.measure(slice, opsPerSlice);
      totals.raw.push(r);
      log(`[event-store bench] round ${round}  raw INSERT txn          ${format(r)}`);

      const seq = await measure(slice, async (deadline) => {
        let ops = 0;
        while (ops < opsPerSlice && performance.now() < deadline) {
          await store.append(`bench-seq-${n++}`, [benchEvent()], 'no_stream');
          ops++;
        }
        return ops;
      });
      totals.sequential.push(seq);
      log(`[event-store bench] round ${round}  sequential appends      ${format(seq)}`);

      const conc = await measure(slice, async (deadline) => {
        let ops = 0;
        const worker = async (): Promise<void> => {
          while (ops < opsPerSlice && performance.now() < deadline) {
            ops++;
            await store.append(`bench-conc-${n++}`, [benchEvent()], 'no_stream');
          }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        return ops;
      });
      totals.concurrent.push(conc);
      log(`[event-store bench] round ${round}  ${String(concurrency).padStart(2)} concurrent appends   ${format(conc)}`);
    }

    const result: EventStoreBenchResult = {
      raw: combine(totals.raw),
      sequential: combine(totals.sequential),
      concurrent: combine(totals.concurrent),
      sequentialVsRaw: 0,
      concurrentVsRaw: 0,
    };
    result.sequentialVsRaw = result.sequential.perSecond / result.raw.perSecond;
    result.concurrentVsRaw = result.concurrent.perSecond / result.raw.perSecond;
    log(
      `[event-store bench] raw ${result.raw.perSecond.toFixed(0)}/s, sequential ${result.sequential.perSecond.toFixed(0)}/s, ` +
        `concurrent ${result.concurrent.perSecond.toFixed(0)}/s`,
    );
    log(
      `[event-store bench] sequential ${result.sequentialVsRaw.toFixed(2)}x raw (target >= 0.70), ` +
        `concurrent ${result.concurrentVsRaw.toFixed(2)}x raw (target > 1)`,
    );
    return result;
  } finally {
    raw.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same shape, pragmas and per-row JSON work as the store, without hashing or batching. */
class Db {
  private readonly insertOne: (e: EventToAppend, stream: string) => void;
  private n = 0;

  constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE events (
      position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL,
      revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
      UNIQUE (stream, revision))`);
    const insert = db.prepare('INSERT INTO events (event_id, stream, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
    this.insertOne = db.transaction((e: EventToAppend, stream: string) => {
      insert.run(e.id, stream, 0, e.type, JSON.stringify(e.data), JSON.stringify(e.metadata));
    });
  }

  measure(seconds: number, maxOps: number): Measurement {
    const started = performance.now();
    const deadline = started + seconds * 1000;
    let ops = 0;
    while (ops < maxOps && performance.now() < deadline) {
      this.insertOne(benchEvent(), `bench-raw-${this.n++}`);
      ops++;
    }
    return toMeasurement(ops, performance.now() - started);
  }

  close(): void {
    this.db.close();
  }
}

async function measure(seconds: number, run: (deadline: number) => Promise<number>): Promise<Measurement> {
  const started = performance.now();
  const ops = await run(started + seconds * 1000);
  return toMeasurement(ops, performance.now() - started);
}

function benchEvent(): EventToAppend {
  const id = randomUUID();
  return {
    id,
    type: 'OtpIssued',
    data: { customerId: 'cus_bench', emailKey: 'k'.repeat(43), codeHash: 'h'.repeat(64), expiresAt: '2025-01-01T00:10:00.000Z' },
    metadata: {
      eventId: id,
      type: 'OtpIssued',
      schemaVersion: 1,
      occurredAt: '2025-01-01T00:00:00.000Z',
      tenantId: 'cus_bench',
      actor: 'apiKey:key_bench',
      correlationId: id,
      causationId: null,
      requestId: id,
      ip: '203.0.113.7',
      userAgent: 'bench/1.0',
    },
  };
}

function toMeasurement(ops: number, ms: number): Measurement {
  return { ops, seconds: ms / 1000, perSecond: ops / (ms / 1000) };
}

function combine(parts: Measurement[]): Measurement {
  return toMeasurement(
    parts.reduce((sum, m) => sum + m.ops, 0),
    parts.reduce((sum, m) => sum + m.seconds, 0) * 1000,
  );
}

function format(m: Measurement): string {
  return `${m.perSecond.toFixed(0).padStart(7)}/s  (${m.ops} ops in ${m.seconds.toFixed(2)} s)`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(process.argv[2] ?? 3);
  await runEventStoreBench({ seconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 3 });
}
