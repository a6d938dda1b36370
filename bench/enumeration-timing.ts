// Known and unknown emails in the same time (issue 11): the median time of each answer the
// service gives an enumerating caller, over 50 tries each, for an email with an account and
// one without, on the three paths that take one: asking for a code, verifying a wrong code
// and refreshing with a token that is not current. Sequential requests (one at a time), so
// the figures are latencies, not throughput. Run alone: `node --import tsx bench/enumeration-timing.ts`
// (after `npm run build`).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, startProcess } from './support';

const ROOT = resolve(import.meta.dirname, '..');
const OPERATOR_TOKEN = 'op_bench_token_long_enough_0123456789abcdef';
const TRIES = 50;

export interface PathTiming {
  path: string;
  knownMedianMs: number;
  unknownMedianMs: number;
  /** Every answer's status and body were the same for both, once ids and times are set aside. */
  sameAnswers: boolean;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

// The parts of an answer that differ per request whatever the email (new ids, times, request ids).
const shape = (status: number, body: string): string =>
  `${status} ${body.replace(/"(challengeId|expiresAt|instance|requestId)":"[^"]*"/g, '"$1":"-"')}`;

export async function benchEnumerationTiming(): Promise<PathTiming[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'otp-bench-enum-'));
  const port = await freePort();
  const server = await startProcess(
    [join(ROOT, 'dist/embedded.js')],
    { DATA_DIR: dataDir, OPERATOR_TOKEN, LOG_LEVEL: 'warn' },
    port,
    '/health/live',
  );
  const base = `http://127.0.0.1:${port}`;
  try {
    const operator = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
    const registered = (await (
      await fetch(`${base}/v1/admin/customers`, {
        method: 'POST',
        headers: operator,
        body: JSON.stringify({ name: 'Bench', email: 'ops@bench.test', plan: 'enterprise' }),
      })
    ).json()) as { apiKey: { key: string } };
    const headers = { authorization: `Bearer ${registered.apiKey.key}`, 'content-type': 'application/json' };
    // Enough code requests per email for the tries (the default is 3 an hour).
    await fetch(`${base}/v1/customer/config`, { method: 'PATCH', headers, body: JSON.stringify({ otp: { perEmailPerHour: 100 } }) });
    const call = async (path: string, body: unknown) => {
      const started = performance.now();
      const res = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await res.text();
      return { ms: performance.now() - started, answer: shape(res.status, text), text };
    };

    // The known email has an account: one login, through the dev mailbox.
    const known = 'known@bench.test';
    const asked = await call('/v1/otp/request', { email: known });
    const { challengeId } = JSON.parse(asked.text) as { challengeId: string };
    const code = /sign-in code is ([0-9]{6,9})/.exec(readFileSync(join(dataDir, 'mailbox', `${challengeId}.eml`), 'utf8'))?.[1];
    const login = JSON.parse((await call('/v1/otp/verify', { email: known, code })).text) as { refreshToken: string };
    const sessionHex = /^rt_([0-9a-f]{16})_/.exec(login.refreshToken)?.[1] ?? 'login did not answer a refresh token';

    const paths: [string, (n: number, email: string) => Promise<{ ms: number; answer: string }>, string, string][] = [
      ['POST /v1/otp/request', (_n, email) => call('/v1/otp/request', { email }), known, 'nobody@bench.test'],
      ['POST /v1/otp/verify (wrong code)', (_n, email) => call('/v1/otp/verify', { email, code: '000000000' }), known, 'nobody@bench.test'],
      [
        'POST /v1/tokens/refresh (wrong token)',
        // Known: the live session's id with another secret; unknown: a session that never was.
        (_n, session) => call('/v1/tokens/refresh', { refreshToken: `rt_${session}_${randomBytes(32).toString('base64url')}` }),
        sessionHex,
        randomBytes(8).toString('hex'),
      ],
    ];
    const results: PathTiming[] = [];
    for (const [path, run, knownArg, unknownArg] of paths) {
      const knownTimes: number[] = [];
      const unknownTimes: number[] = [];
      const answers = new Set<string>();
      // Alternating, so drift in the machine's speed falls on both alike.
      for (let n = 0; n < TRIES; n++) {
        const k = await run(n, knownArg);
        const u = await run(n, unknownArg);
        knownTimes.push(k.ms);
        unknownTimes.push(u.ms);
        answers.add(k.answer).add(u.answer);
      }
      results.push({ path, knownMedianMs: median(knownTimes), unknownMedianMs: median(unknownTimes), sameAnswers: answers.size === 1 });
      console.log(`enumeration timing: ${path} done`);
    }
    return results;
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printEnumerationTiming(results: PathTiming[]): void {
  console.log(`\n| path (${TRIES} tries each, alternating) | known email median | unknown email median | gap | same answers | target |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const gap = Math.abs(r.knownMedianMs - r.unknownMedianMs);
    console.log(
      `| ${r.path} | ${r.knownMedianMs.toFixed(2)} ms | ${r.unknownMedianMs.toFixed(2)} ms | ${gap.toFixed(2)} ms | ${r.sameAnswers ? 'yes' : 'NO'} | gap of a few ms, same answers |`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) printEnumerationTiming(await benchEnumerationTiming());
