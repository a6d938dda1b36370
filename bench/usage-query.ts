/**
 * The p99 of a 90-day usage query (day granularity) over a read-model store holding a year of
 * usage for 20 tenants: a million projected events' worth of hour, day and month buckets,
 * seeded directly as documents. The query runs what GET /v1/usage runs after authentication
 * (the document store's find, then the dense buckets); the baseline reads the same 90
 * documents straight from SQLite by their primary keys, in the same run.
 *
 *   BENCH_ONLY=usage npm run bench
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { bucketStarts, collections, USAGE_COUNTERS, type Granularity, type UsageBucketDocument, type UsageCounters } from '@otp/contracts';
import type { WriteOp } from '@otp/platform/document-store';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { tableName } from '../platform/src/document-store/sqlite/sql-names';
import { usageProjector } from '../projection-service/src/projectors/usage';
import { denseBuckets } from '../query-service/src/views/usage-buckets';

const TENANTS = 20;
const EVENTS = 1_000_000;
const YEAR_START = Date.UTC(2025, 0, 1);
const DAYS = 365;
const QUERIES = 2_000;
/** Queries first run and not timed: the statement cache and the page cache fill as a serving process's have. */
const WARM_UP = 200;

export interface UsageQueryBenchResult {
  documents: number;
  seedSeconds: number;
  queryP99Ms: number;
  queryMedianMs: number;
  rawP99Ms: number;
  rawMedianMs: number;
}

const tenantId = (n: number) => `cus_${n.toString(16).padStart(16, '0')}`;

/** Every counter of one bucket, the events of the hour split among them. */
function counters(events: number): UsageCounters {
  const each = Object.fromEntries(USAGE_COUNTERS.map((c) => [c, 0])) as UsageCounters;
  each.otpRequested = Math.ceil(events * 0.4);
  each.otpVerified = Math.floor(events * 0.3);
  each.logins = Math.floor(events * 0.3);
  each.uniqueUsers = each.logins;
  return each;
}

/** A year of buckets per tenant: each hour gets its share of the events, days and months their sums. */
function* seedBatches(): Generator<WriteOp[]> {
  const perHour = Math.round(EVENTS / (TENANTS * DAYS * 24));
  for (let t = 0; t < TENANTS; t++) {
    const tenant = tenantId(t);
    const doc = (granularity: Granularity, start: Date, events: number): WriteOp => {
      const iso = start.toISOString();
      const bucket: UsageBucketDocument = {
        _id: `${tenant}:${granularity}:${iso}`,
        tenantId: tenant,
        granularity,
        start: iso,
        ...counters(events),
      };
      return { kind: 'put', collection: collections.usage, doc: bucket };
    };
    const from = new Date(YEAR_START);
    const to = new Date(YEAR_START + DAYS * 86_400_000);
    let ops: WriteOp[] = [];
    for (const start of bucketStarts(from, to, 'hour')) ops.push(doc('hour', start, perHour));
    for (const start of bucketStarts(from, to, 'day')) ops.push(doc('day', start, perHour * 24));
    for (const start of bucketStarts(from, to, 'month')) ops.push(doc('month', start, perHour * 24 * 30));
    while (ops.length > 0) {
      yield ops.slice(0, 5_000);
      ops = ops.slice(5_000);
    }
  }
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;

export async function runUsageQueryBench(): Promise<UsageQueryBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-bench-usage-'));
  const file = join(dir, 'read-models.sqlite');
  const documents = openSqliteDocumentStore({ file });
  try {
    for (const { collection, fields } of usageProjector.indexes) await documents.ensureIndex(collection, fields);
    const seeding = performance.now();
    let count = 0;
    let position = 0n;
    for (const ops of seedBatches()) {
      await documents.applyBatch(ops, { name: 'bench-seed', position: ++position, hash: 'seed'.padEnd(64, '0'), version: 1 });
      count += ops.length;
      if (position % 20n === 0n) process.stdout.write(`usage bench: seeded ${count} bucket documents\r`);
    }
    const seedSeconds = (performance.now() - seeding) / 1000;
    process.stdout.write(`usage bench: seeded ${count} bucket documents in ${seedSeconds.toFixed(1)} s\n`);

    const raw = new Database(file, { readonly: true });
    const rawRange = raw.prepare(`SELECT doc FROM ${tableName(collections.usage)} WHERE id >= ? AND id < ? ORDER BY id`);
    const query: number[] = [];
    const rawTimes: number[] = [];
    for (let i = -WARM_UP; i < QUERIES; i++) {
      const n = i + WARM_UP;
      const tenant = tenantId(n % TENANTS);
      const from = new Date(YEAR_START + ((n * 7) % (DAYS - 90)) * 86_400_000);
      const to = new Date(from.getTime() + 90 * 86_400_000);
      let started = performance.now();
      const starts = bucketStarts(from, to, 'day');
      const docs = await documents.find<UsageBucketDocument>(collections.usage, {
        where: { tenantId: tenant, granularity: 'day', start: { $gte: starts[0]!.toISOString(), $lte: starts.at(-1)!.toISOString() } },
        orderBy: [['start', 'asc']],
        limit: starts.length,
      });
      const buckets = denseBuckets(docs, starts);
      if (i >= 0) query.push(performance.now() - started);
      if (buckets.length !== 90 || docs.length !== 90) throw new Error(`expected 90 day buckets, read ${docs.length}`);

      started = performance.now();
      const rows = rawRange.all(`${tenant}:day:${from.toISOString()}`, `${tenant}:day:${to.toISOString()}`) as { doc: string }[];
      for (const row of rows) JSON.parse(row.doc);
      if (i >= 0) rawTimes.push(performance.now() - started);
    }
    raw.close();
    query.sort((a, b) => a - b);
    rawTimes.sort((a, b) => a - b);
    return {
      documents: count,
      seedSeconds,
      queryP99Ms: percentile(query, 0.99),
      queryMedianMs: percentile(query, 0.5),
      rawP99Ms: percentile(rawTimes, 0.99),
      rawMedianMs: percentile(rawTimes, 0.5),
    };
  } finally {
    await documents.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Its row of the bench table. */
export function usageQueryRow(result: UsageQueryBenchResult): string {
  const { documents, queryP99Ms, queryMedianMs, rawP99Ms, rawMedianMs } = result;
  return (
    `| 90-day usage query, day granularity (${documents} bucket documents: 1M events of 20 tenants over a year) ` +
    `| p99 ${queryP99Ms.toFixed(2)} ms (median ${queryMedianMs.toFixed(2)}) | raw SQLite read of the same 90 rows p99 ${rawP99Ms.toFixed(2)} ms (median ${rawMedianMs.toFixed(2)}) ` +
    `| ${(queryP99Ms / rawP99Ms).toFixed(2)} | < 10 ms |`
  );
}
