/**
 * The auditor's narrowest question late in a long history: one page of a tenant's audit trail in
 * a ten-minute window at the end of 1M entries, through the query side's keyset read
 * (query-service/src/views/audit-page.ts) over the SQLite document store, beside the floor set by
 * SQLite itself: the same number of documents read by a primary-key range and parsed.
 * The documents are seeded directly (no events): this measures the read, not the projection.
 *
 * Run on its own: npm run bench:audit (BENCH_AUDIT_ENTRIES sets the history's size, default 1M).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { AuditQuery, collections, type AuditEntryDocument } from '@otp/contracts';
import type { DocumentStore, WriteOp } from '@otp/platform/document-store';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { AUDIT_INDEX } from '../projection-service/src/projectors/audit';
import { auditPage } from '../query-service/src/views/audit-page';

export interface AuditWindowBenchResult {
  entries: number;
  seedSeconds: number;
  /** p99 of a page (100 entries) in the last ten minutes, oldest first, and of the page its cursor leads to. */
  windowP99Ms: number;
  cursorP99Ms: number;
  /** p99 of the newest page of the whole trail (order=desc, no window). */
  newestP99Ms: number;
  /** p99 of reading and parsing as many documents by a primary-key range, with raw better-sqlite3. */
  rawP99Ms: number;
}

const TENANT = 'cus_00000000000000a1';
const OTHER = 'cus_00000000000000b2';
const START = Date.parse('2026-01-01T00:00:00.000Z');
const BATCH = 10_000;
const SAMPLES = 300;

export async function runAuditWindowBench(
  entries = Number(process.env.BENCH_AUDIT_ENTRIES ?? 1_000_000),
  log: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Promise<AuditWindowBenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'otp-bench-audit-'));
  const file = join(dir, 'read-models.sqlite');
  const store = openSqliteDocumentStore({ file });
  try {
    const seeded = performance.now();
    await seed(store, entries, log);
    const seedSeconds = (performance.now() - seeded) / 1000;
    // Every third entry shares its second with the one before: the cursor must step through ties.
    const end = new Date(START + Math.floor(entries / 2) * 1000);
    const params = { from: new Date(end.getTime() - 600_000).toISOString(), to: end.toISOString(), limit: '100' };
    const window = AuditQuery.parse(params);
    const first = await auditPage(store, TENANT, window);
    if (first.items.length !== 100 || !first.nextCursor) throw new Error('the late window holds fewer than two pages');
    const next = AuditQuery.parse({ ...params, cursor: first.nextCursor });
    const newest = AuditQuery.parse({ order: 'desc', limit: '100' });
    const raw = new Database(file, { readonly: true });
    const rawRead = raw.prepare(`SELECT doc FROM "rm_${collections.audit}" WHERE id > ? ORDER BY id LIMIT 101`);
    try {
      // Interleaved, so a burst of load on the shared machine lands on every kind of read alike.
      const [windowP99Ms, cursorP99Ms, newestP99Ms, rawP99Ms] = await p99s([
        () => auditPage(store, TENANT, window),
        () => auditPage(store, TENANT, next),
        () => auditPage(store, TENANT, newest),
        async () => (rawRead.all(randomUUID()) as { doc: string }[]).map((row) => JSON.parse(row.doc) as unknown),
      ]);
      const result = {
        entries,
        seedSeconds,
        windowP99Ms: windowP99Ms!,
        cursorP99Ms: cursorP99Ms!,
        newestP99Ms: newestP99Ms!,
        rawP99Ms: rawP99Ms!,
      };
      log(
        `  audit window (${entries} entries, seeded in ${seedSeconds.toFixed(1)} s): window p99 ${result.windowP99Ms.toFixed(2)} ms, ` +
          `next page ${result.cursorP99Ms.toFixed(2)} ms, newest page ${result.newestP99Ms.toFixed(2)} ms, raw read ${result.rawP99Ms.toFixed(2)} ms`,
      );
      return result;
    } finally {
      raw.close();
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Nine in ten entries are the tenant's, the rest another's, interleaved in time as the log would hold them. */
async function seed(store: DocumentStore, entries: number, log: (line: string) => void): Promise<void> {
  await store.ensureIndex(collections.audit, AUDIT_INDEX);
  const seqs = new Map<string, number>();
  for (let done = 0; done < entries; done += BATCH) {
    const ops: WriteOp[] = [];
    for (let i = done; i < Math.min(entries, done + BATCH); i++) {
      const tenantId = i % 10 === 9 ? OTHER : TENANT;
      const seq = (seqs.get(tenantId) ?? 0) + 1;
      seqs.set(tenantId, seq);
      const doc: AuditEntryDocument = {
        _id: randomUUID(),
        eventId: randomUUID(),
        tenantId,
        seq,
        occurredAt: new Date(START + Math.floor(i / 2) * 1000).toISOString(),
        type: i % 3 === 0 ? 'OtpRequested' : 'OtpVerified',
        actor: 'apiKey:key_0000000000a1',
        target: `otp-${tenantId}.ek${i % 1000}`,
        outcome: 'success',
        clientIp: '203.0.113.7',
        userAgent: 'bench/1.0',
        requestId: randomUUID(),
        hash: 'f'.repeat(64),
      };
      ops.push({ kind: 'put', collection: collections.audit, doc });
    }
    await store.applyBatch(ops, { name: 'bench-audit', position: BigInt(done + ops.length), hash: 'f'.repeat(64), version: 1 });
    if ((done / BATCH) % 20 === 0) log(`  seeding audit entries: ${done + ops.length} of ${entries}`);
  }
}

/** The p99 of each read, sampled in turns. */
async function p99s(reads: (() => Promise<unknown>)[]): Promise<number[]> {
  for (let i = 0; i < 20; i++) for (const read of reads) await read();
  const times = reads.map((): number[] => []);
  for (let i = 0; i < SAMPLES; i++) {
    for (const [k, read] of reads.entries()) {
      const started = performance.now();
      await read();
      times[k]!.push(performance.now() - started);
    }
  }
  return times.map((sorted) => sorted.sort((a, b) => a - b)[Math.ceil(SAMPLES * 0.99) - 1]!);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runAuditWindowBench();
}
