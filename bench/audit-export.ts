// The auditor's NDJSON export of 1M events: the server's throughput and peak memory, beside a
// raw SQLite read of the same rows. `BENCH_ONLY=audit-export npm run bench` runs only this.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { sealEvents } from '../platform/src/event-store/seal';
import { freePort, startProcess } from './support';

const ROOT = resolve(import.meta.dirname, '..');
const OPERATOR_TOKEN = 'op_bench_token_long_enough_0123456789abcdef';
/** Events per stream (one OTP challenge's failures), as a busy tenant's history holds many streams. */
const PER_STREAM = 1000;

export interface ExportFigures {
  events: number;
  exportPerSecond: number;
  rawPerSecond: number;
  baselineRssMb: number;
  peakRssMb: number;
}

const rssMb = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
};

async function startService(dataDir: string, port: number) {
  return startProcess([join(ROOT, 'dist/embedded.js')], { DATA_DIR: dataDir, OPERATOR_TOKEN, LOG_LEVEL: 'warn' }, port, '/health/live');
}

/** The tenant's history written straight into the file, sealed as the store seals it: the store's append path is benched elsewhere. */
function writeHistory(file: string, tenantId: string, events: number): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  const last = db.prepare('SELECT max(tenant_seq) AS seq FROM events WHERE tenant = ?').get(tenantId) as { seq: number | null };
  const insert = db.prepare(
    'INSERT INTO events (event_id, stream, revision, type, data, metadata, tenant, tenant_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  let seq = last.seq ?? 0;
  const occurredAt = new Date().toISOString();
  const writeStream = db.transaction((stream: string) => {
    const challengeId = `chl_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const batch = Array.from({ length: PER_STREAM }, () => {
      const requestId = randomUUID();
      return {
        id: randomUUID(),
        type: 'OtpVerificationFailed',
        data: { challengeId, reason: 'wrong_code', attemptsRemaining: 0, failedAt: occurredAt },
        metadata: {
          schemaVersion: 1,
          occurredAt,
          tenantId,
          actor: 'apiKey:key_0123456789ab',
          correlationId: requestId,
          causationId: requestId,
          requestId,
          clientIp: '203.0.113.9',
        },
      };
    });
    for (const e of sealEvents(stream, -1n, '0'.repeat(64), batch).sealed) {
      insert.run(e.id, stream, e.revision, e.type, e.dataJson, e.metadataJson, tenantId, ++seq);
    }
  });
  for (let written = 0; written < events; written += PER_STREAM) {
    writeStream(`bench-${tenantId}.${written / PER_STREAM}`);
    if (written % 100_000 === 0) process.stdout.write(`  writing the history: ${written} of ${events} events\n`);
  }
  db.close();
}

/** What the store does per event, on the same rows: read them by the tenant index and parse their JSON. */
function rawRead(file: string, tenantId: string, upTo: number): { events: number; perSecond: number } {
  const db = new Database(file, { readonly: true });
  const started = performance.now();
  let events = 0;
  for (const row of db
    .prepare(
      'SELECT position, event_id, stream, revision, type, data, metadata FROM events WHERE tenant = ? AND tenant_seq <= ? ORDER BY tenant_seq',
    )
    .iterate(tenantId, upTo) as Iterable<{ data: string; metadata: string }>) {
    JSON.parse(row.data);
    JSON.parse(row.metadata);
    events += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { events, perSecond: events / seconds };
}

export async function runAuditExportBench(events: number): Promise<ExportFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'otp-bench-export-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  try {
    let service = await startService(dataDir, port);
    const registered = await fetch(`${base}/v1/admin/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', email: 'ops@bench.test' }),
    });
    const { customer, apiKey } = (await registered.json()) as { customer: { id: string }; apiKey: { key: string } };
    await service.stop();
    const file = join(dataDir, 'events.sqlite');
    writeHistory(file, customer.id, events);

    service = await startService(dataDir, port);
    // The projections catch up on their thread first, so the export is measured alone.
    const head = (new Database(file, { readonly: true }).prepare('SELECT max(position) AS p FROM events').get() as { p: number }).p;
    for (;;) {
      // /metrics answers the operator only (METRICS_ACCESS defaults to 'operator').
      const answer = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
      if (!answer.ok) throw new Error(`/metrics answered ${answer.status}`);
      const metrics = await answer.text();
      const positions = [...metrics.matchAll(/^projection_position\{projection="\w+"\} (\d+)$/gm)].map((m) => Number(m[1]));
      if (positions.length > 0 && positions.every((p) => p >= head)) break;
      if (/^projection_state\{projection="\w+",state="failed"\} 1$/m.test(metrics))
        throw new Error('a projection failed on the bench history');
      process.stdout.write(`  projections catching up: ${Math.min(...positions)} of ${head}\n`);
      await new Promise((r) => setTimeout(r, 2000));
    }
    const pid = service.pid!;
    const baselineRssMb = rssMb(pid);
    let peakRssMb = baselineRssMb;
    const sampler = setInterval(() => (peakRssMb = Math.max(peakRssMb, rssMb(pid))), 50);

    const started = performance.now();
    const response = await fetch(`${base}/v1/audit/events`, { headers: { authorization: `Bearer ${apiKey.key}` } });
    let lines = 0;
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      for (const byte of chunk) if (byte === 0x0a) lines += 1;
    }
    const exportSeconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    await service.stop();

    // Up to what the export sent: the key's first use is recorded (ApiKeyUsed) while it runs.
    const raw = rawRead(file, customer.id, lines);
    if (raw.events !== lines) throw new Error(`the export sent ${lines} lines for ${raw.events} events`);
    return { events: lines, exportPerSecond: lines / exportSeconds, rawPerSecond: raw.perSecond, baselineRssMb, peakRssMb };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printAuditExport(figures: ExportFigures): void {
  const { events, exportPerSecond, rawPerSecond, baselineRssMb, peakRssMb } = figures;
  console.log(
    `| NDJSON export over HTTP (${events} events, one tenant) | ${Math.round(exportPerSecond)} events/s | raw SQLite read ${Math.round(rawPerSecond)} events/s | ${(exportPerSecond / rawPerSecond).toFixed(2)} | - |`,
  );
  console.log(
    `| server RSS during the export | peak ${Math.round(peakRssMb)} MB | ${Math.round(baselineRssMb)} MB before it | ${(peakRssMb / baselineRssMb).toFixed(2)} | constant in the history's size |`,
  );
}
