// `npm run bench`: figures beside baselines measured in the same run, with the
// ratios the walking-skeleton targets are stated in. A benchmark, not a test:
// it prints and exits 0 whatever the figures are.
import { runAuditWindowBench } from './audit-window';
import { printAuditExport, runAuditExportBench } from './audit-export';
import { runEventStoreBench } from './event-store';
import { benchHttp } from './http';
import { benchEnumerationTiming, printEnumerationTiming } from './enumeration-timing';
import { benchIdle } from './idle';
import { runRebuildBench, type RebuildFigures } from './rebuild';
import { runServersBench } from './servers';
import { runUsageQueryBench, usageQueryRow } from './usage-query';

const TABLE_HEAD = '\n| measurement | figure | baseline (same run) | ratio | target |\n| --- | --- | --- | --- | --- |';

// One section alone (`BENCH_ONLY=usage|audit-export|rebuild npm run bench`), for the work on it.
const exportEvents = Number(process.env.BENCH_EXPORT_EVENTS ?? 1_000_000);
const only = process.env.BENCH_ONLY;
if (only === 'usage') {
  const usage = await runUsageQueryBench();
  console.log(TABLE_HEAD);
  console.log(usageQueryRow(usage));
  process.exit(0);
} else if (only === 'audit-export') {
  console.log(TABLE_HEAD);
  printAuditExport(await runAuditExportBench(exportEvents));
  process.exit(0);
} else if (only === 'rebuild') {
  console.log(TABLE_HEAD);
  printRebuild(await runRebuildBench(Number(process.env.BENCH_REBUILD_EVENTS ?? 1_000_000)));
  process.exit(0);
} else if (only !== undefined) {
  console.error(`BENCH_ONLY: no section ${only} (there are: usage, audit-export, rebuild)`);
  process.exit(2);
}

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

// Both writers: 'thread' is what the embedded server runs (a commit never blocks the event
// loop, and batches grow under load); 'inline' shows the store without the thread hop.
const writers = ['thread', 'inline'] as const;
const events = [];
for (const writer of writers) events.push({ writer, ...(await runEventStoreBench({ seconds: Math.max(3, seconds / 2), writer })) });
const http = await benchHttp(seconds, rounds);
const enumeration = await benchEnumerationTiming();
// Ten seconds whatever BENCH_SECONDS says: the share is counted in 10 ms clock ticks.
const idle = await benchIdle(10);
const auditExport = await runAuditExportBench(exportEvents);
// The distributed form's followers against the servers scripts/test-servers.sh starts, when it ran.
const servers = await runServersBench(Number(process.env.BENCH_SERVER_EVENTS ?? 5_000));
const usage = await runUsageQueryBench();
const audit = await runAuditWindowBench();
// A million events by default (about a minute to seed); BENCH_REBUILD_EVENTS=0 leaves it out.
const rebuildEvents = Number(process.env.BENCH_REBUILD_EVENTS ?? 1_000_000);
const rebuild = rebuildEvents > 0 ? await runRebuildBench(rebuildEvents) : undefined;

const round = (n: number) => Math.round(n * 100) / 100;

console.log(TABLE_HEAD);
console.log(
  row(
    `HTTP request+verify pairs (${rounds} rounds, ratios ${http.roundRatios.map((r) => r.toFixed(2)).join(', ')})`,
    `${http.service.rps} req/s, p99 ${http.service.p99Ms} ms`,
    `bare express ${http.bare.rps} req/s, p99 ${http.bare.p99Ms} ms`,
    http.ratio,
    '>= 0.5',
  ),
);
// Beside the same bare express baseline: what a tenant backend's token traffic costs.
for (const [what, figures] of [
  ['HTTP token refreshes (rotation, 50 sessions)', http.refresh],
  ['HTTP token introspections', http.introspect],
] as const) {
  console.log(
    row(
      what,
      `${figures.rps} req/s, p99 ${figures.p99Ms} ms`,
      `bare express ${http.bare.rps} req/s`,
      round(figures.rps / http.bare.rps),
      '-',
    ),
  );
}
for (const e of events) {
  console.log(
    row(
      `appends, sequential, ${e.writer} writer`,
      `${Math.round(e.sequential.perSecond)}/s`,
      `raw insert ${Math.round(e.raw.perSecond)}/s`,
      e.sequentialVsRaw,
      '>= 0.7',
    ),
  );
  console.log(
    row(
      `appends, 50 concurrent, ${e.writer} writer`,
      `${Math.round(e.concurrent.perSecond)}/s`,
      `raw insert ${Math.round(e.raw.perSecond)}/s`,
      e.concurrentVsRaw,
      '> 1',
    ),
  );
}
console.log(
  idle
    ? `| idle server, CPU over ${idle.seconds} quiet seconds (all threads) | ${(idle.coreShare * 100).toFixed(2)}% of a core | - | - | < 1% |`
    : '| idle server | not measured: no /proc here | - | - | < 1% |',
);
console.log(
  row(
    `audit page in a 10-minute window at the end of ${audit.entries} entries (next page ${audit.cursorP99Ms.toFixed(2)} ms, newest page ${audit.newestP99Ms.toFixed(2)} ms)`,
    `p99 ${audit.windowP99Ms.toFixed(2)} ms`,
    `raw SQLite read of 101 documents p99 ${audit.rawP99Ms.toFixed(2)} ms`,
    audit.windowP99Ms / audit.rawP99Ms,
    '< 10 ms',
  ),
);
printAuditExport(auditExport);
if ('skipped' in servers) {
  console.log(`| relay into Kafka, projection into the MongoDB-wire server | not measured: ${servers.skipped} | - | - | - |`);
} else {
  console.log(
    `| relay into Kafka (${servers.events} events, kafkajs, acks=all, checkpoint in the MongoDB-wire server) | ${Math.round(servers.relayIntoKafka)} events/s | - | - | - |`,
  );
  console.log(
    row(
      `read-model projection into the MongoDB-wire server (${servers.events} events)`,
      `${Math.round(servers.projectionIntoMongo)} events/s`,
      `into SQLite ${Math.round(servers.projectionIntoSqlite)} events/s`,
      servers.projectionIntoMongo / servers.projectionIntoSqlite,
      '-',
    ),
  );
}
console.log(usageQueryRow(usage));
for (const [what, figures] of [
  ['token refreshes', http.refresh],
  ['token introspections', http.introspect],
] as const) {
  if (figures.non2xx > 0 || figures.errors > 0)
    console.log(`\nwarning: ${what} answered ${figures.non2xx} non-2xx and ${figures.errors} errors`);
}
printEnumerationTiming(enumeration);
if (rebuild) printRebuild(rebuild);
if (http.service.non2xx > 0 || http.service.errors > 0) {
  console.log(`\nwarning: the service answered ${http.service.non2xx} non-2xx and ${http.service.errors} errors during the run`);
}

function printRebuild(rebuild: RebuildFigures): void {
  const perSecond = (seconds: number) => Math.round(rebuild.events / seconds);
  const million = (seconds: number) => ((seconds * 1_000_000) / rebuild.events).toFixed(1);
  console.log(
    row(
      `rebuild of the three read models from ${rebuild.events.toLocaleString('en')} events (SQLite)`,
      `${rebuild.rebuildAllSeconds.toFixed(1)} s, ${perSecond(rebuild.rebuildAllSeconds)} events/s (${million(rebuild.rebuildAllSeconds)} s per 1M)`,
      `raw read ${rebuild.rawReadSeconds.toFixed(1)} s, ${perSecond(rebuild.rawReadSeconds)} events/s`,
      rebuild.rawReadSeconds / rebuild.rebuildAllSeconds,
      '< 15 s per 1M',
    ),
  );
  console.log(
    `| usage rebuilt beside the live one and swapped in (npm run rebuild) | ${rebuild.rebuildUsageBesideSeconds.toFixed(1)} s, ${perSecond(rebuild.rebuildUsageBesideSeconds)} events/s | - | - | - |`,
  );
}

// A declaration, not a const: the BENCH_ONLY sections above print rows before this line runs.
function row(what: string, figure: string, baseline: string, ratio: number, target: string): string {
  return `| ${what} | ${figure} | ${baseline} | ${ratio.toFixed(2)} | ${target} |`;
}
