// `npm run bench`: figures beside baselines measured in the same run, with the
// ratios the walking-skeleton targets are stated in. A benchmark, not a test:
// it prints and exits 0 whatever the figures are.
import { runEventStoreBench } from './event-store';
import { benchHttp } from './http';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);

const events = await runEventStoreBench({ seconds: Math.max(3, seconds / 2) });
const http = await benchHttp(seconds);

const row = (what: string, figure: string, baseline: string, ratio: number, target: string) =>
  `| ${what} | ${figure} | ${baseline} | ${ratio.toFixed(2)} | ${target} |`;
console.log('\n| measurement | figure | baseline (same run) | ratio | target |');
console.log('| --- | --- | --- | --- | --- |');
console.log(row('HTTP request+verify pairs', `${http.service.rps} req/s, p99 ${http.service.p99Ms} ms`, `bare express ${http.bare.rps} req/s, p99 ${http.bare.p99Ms} ms`, http.ratio, '>= 0.5'));
console.log(row('appends, sequential', `${Math.round(events.sequential.perSecond)}/s`, `raw insert ${Math.round(events.raw.perSecond)}/s`, events.sequentialVsRaw, '>= 0.7'));
console.log(row('appends, 50 concurrent', `${Math.round(events.concurrent.perSecond)}/s`, `raw insert ${Math.round(events.raw.perSecond)}/s`, events.concurrentVsRaw, '> 1'));
if (http.service.non2xx > 0 || http.service.errors > 0) {
  console.log(`\nwarning: the service answered ${http.service.non2xx} non-2xx and ${http.service.errors} errors during the run`);
}
