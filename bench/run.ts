// `npm run bench`: figures beside baselines measured in the same run, with the
// ratios the walking-skeleton targets are stated in. A benchmark, not a test:
// it prints and exits 0 whatever the figures are.
import { runEventStoreBench } from './event-store';
import { benchHttp } from './http';
import { benchIdle } from './idle';
import { runRebuildBench } from './rebuild';
import { runServersBench } from './servers';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

// Both writers: 'thread' is what the embedded server runs (a commit never blocks the event
// loop, and batches grow under load); 'inline' shows the store without the thread hop.
const writers = ['thread', 'inline'] as const;
const events = [];
for (const writer of writers) events.push({ writer, ...(await runEventStoreBench({ seconds: Math.max(3, seconds / 2), writer })) });
const http = await benchHttp(seconds, rounds);
// Ten seconds whatever BENCH_SECONDS says: the share is counted in 10 ms clock ticks.
const idle = await benchIdle(10);
// The distributed form's followers against the servers scripts/test-servers.sh starts, when it ran.
const servers = await runServersBench(Number(process.env.BENCH_SERVER_EVENTS ?? 5_000));
// A million events by default (about a minute to seed); BENCH_REBUILD_EVENTS=0 leaves it out.
const rebuildEvents = Number(process.env.BENCH_REBUILD_EVENTS ?? 1_000_000);
const rebuild = rebuildEvents > 0 ? await runRebuildBench(rebuildEvents) : undefined;

const row = (what: string, figure: string, baseline: string, ratio: number, target: string) =>
  `| ${what} | ${figure} | ${baseline} | ${ratio.toFixed(2)} | ${target} |`;
console.log('\n| measurement | figure | baseline (same run) | ratio | target |');
console.log('| --- | --- | --- | --- | --- |');
console.log(
  row(
    `HTTP request+verify pairs (${rounds} rounds, ratios ${http.roundRatios.map((r) => r.toFixed(2)).join(', ')})`,
    `${http.service.rps} req/s, p99 ${http.service.p99Ms} ms`,
    `bare express ${http.bare.rps} req/s, p99 ${http.bare.p99Ms} ms`,
    http.ratio,
    '>= 0.5',
  ),
);
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
if (rebuild) {
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
if (http.service.non2xx > 0 || http.service.errors > 0) {
  console.log(`\nwarning: the service answered ${http.service.non2xx} non-2xx and ${http.service.errors} errors during the run`);
}
