import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type autocannon from 'autocannon';
import { freePort, load, startProcess, type LoadFigures } from './support';

const ROOT = resolve(import.meta.dirname, '..');
const OPERATOR_TOKEN = 'op_bench_token_long_enough_0123456789abcdef';
const CONNECTIONS = 50;

type PairContext = { email?: string; challengeId?: string };

/**
 * Request+verify pairs over HTTP against the embedded server (the bundle `npm start` runs,
 * dev mailbox, real SQLite file), beside a bare express route measured in the same run on the
 * same machine. The two take turns, `rounds` times each, because this VM's speed drifts by up
 * to half within minutes: one long run of each would compare two different machines.
 */
export async function benchHttp(
  durationSeconds: number,
  rounds: number,
): Promise<{
  bare: LoadFigures;
  service: LoadFigures;
  ratio: number;
  roundRatios: number[];
  refresh: LoadFigures;
  introspect: LoadFigures;
}> {
  const barePort = await freePort();
  const bare = await startProcess([join(ROOT, 'bench/bare-express.mjs')], {}, barePort, '/');
  const dataDir = mkdtempSync(join(tmpdir(), 'otp-bench-'));
  const port = await freePort();
  const service = await startProcess(
    [join(ROOT, 'dist/embedded.js')],
    { DATA_DIR: dataDir, OPERATOR_TOKEN, LOG_LEVEL: 'info' },
    port,
    '/health/live',
  );
  try {
    const base = `http://127.0.0.1:${port}`;
    const { requests: pairs, apiKey } = await pairLoad(base, dataDir);
    const bareRuns: LoadFigures[] = [];
    const serviceRuns: LoadFigures[] = [];
    for (let round = 1; round <= rounds; round++) {
      console.log(`HTTP round ${round} of ${rounds}`);
      bareRuns.push(
        await load(
          {
            url: `http://127.0.0.1:${barePort}`,
            connections: CONNECTIONS,
            duration: durationSeconds,
            requests: [
              {
                method: 'POST',
                path: '/v1/otp/request',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ email: 'a@example.com' }),
              },
            ],
          },
          'bare express POST',
        ),
      );
      serviceRuns.push(
        await load(
          { url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: durationSeconds, requests: pairs },
          'request+verify pairs',
        ),
      );
    }
    // Once each, after the rounds: the sessions the pairs started are what they refresh and introspect.
    const sessions = await logins(base, apiKey, dataDir, CONNECTIONS);
    const refresh = await load(
      { url: base, connections: CONNECTIONS, duration: durationSeconds, requests: refreshLoad(apiKey, sessions) },
      'token refreshes',
    );
    const introspect = await load(
      {
        url: base,
        connections: CONNECTIONS,
        duration: durationSeconds,
        requests: [
          {
            method: 'POST',
            path: '/v1/tokens/introspect',
            headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
            body: JSON.stringify({ token: sessions[0]!.accessToken }),
          },
        ],
      },
      'token introspections',
    );
    const roundRatios = serviceRuns.map((run, i) => round2(run.rps / bareRuns[i]!.rps));
    const bareFigures = combine(bareRuns);
    const serviceFigures = combine(serviceRuns);
    return {
      bare: bareFigures,
      service: serviceFigures,
      ratio: round2(serviceFigures.rps / bareFigures.rps),
      roundRatios,
      refresh,
      introspect,
    };
  } finally {
    await bare.stop();
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Requests per second over all runs (each as long as the others); the worst p99 of them. */
function combine(runs: LoadFigures[]): LoadFigures {
  const sum = (pick: (f: LoadFigures) => number) => runs.reduce((n, f) => n + pick(f), 0);
  return {
    rps: Math.round(sum((f) => f.rps) / runs.length),
    p99Ms: Math.max(...runs.map((f) => f.p99Ms)),
    non2xx: sum((f) => f.non2xx),
    errors: sum((f) => f.errors),
    total: sum((f) => f.total),
  };
}

/**
 * Registers a customer, then the autocannon requests of one login: a code asked for, read from the
 * dev mailbox, verified. The customer is on the plan with the highest key rate, and the operator
 * gives it finite quotas far above the run, so every code request is checked against them.
 */
async function pairLoad(base: string, dataDir: string): Promise<{ requests: autocannon.Request[]; apiKey: string }> {
  const operator = { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' };
  const registered = await fetch(`${base}/v1/admin/customers`, {
    method: 'POST',
    headers: operator,
    body: JSON.stringify({ name: 'Bench', email: 'bench@example.com', plan: 'enterprise' }),
  }).then((r) => r.json() as Promise<{ customer: { id: string }; apiKey: { key: string } }>);
  const quotas = await fetch(`${base}/v1/admin/customers/${registered.customer.id}/quotas`, {
    method: 'PUT',
    headers: operator,
    body: JSON.stringify({ daily: 100_000_000, monthly: 1_000_000_000 }),
  });
  if (quotas.status !== 200) throw new Error(`setting the bench quotas answered ${quotas.status}`);
  const headers = { authorization: `Bearer ${registered.apiKey.key}`, 'content-type': 'application/json' };
  const mailbox = join(dataDir, 'mailbox');
  let sequence = 0;
  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: '/v1/otp/request',
      headers,
      setupRequest: (req, ctx) => {
        const context = ctx as PairContext;
        context.email = `user${sequence++}@bench.example.com`;
        return { ...req, body: JSON.stringify({ email: context.email }) };
      },
      onResponse: (status, body, ctx) => {
        if (status === 202) (ctx as PairContext).challengeId = (JSON.parse(body) as { challengeId: string }).challengeId;
      },
    },
    {
      method: 'POST',
      path: '/v1/otp/verify',
      headers,
      setupRequest: (req, ctx) => {
        const context = ctx as PairContext;
        if (!context.challengeId) return undefined as never; // restart the pair
        // The dev mailbox wrote the message before the 202 went out.
        const eml = readFileSync(join(mailbox, `${String(context.challengeId)}.eml`), 'utf8');
        const code = /sign-in code is ([0-9]{6,9})/.exec(eml)?.[1];
        return { ...req, body: JSON.stringify({ email: context.email, code }) };
      },
    },
  ];
  return { requests, apiKey: registered.apiKey.key };
}

interface Session {
  accessToken: string;
  refreshToken: string;
}

/** `count` logins done one by one, outside any measurement: a session per connection to refresh. */
async function logins(base: string, apiKey: string, dataDir: string, count: number): Promise<Session[]> {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const sessions: Session[] = [];
  for (let i = 0; i < count; i++) {
    const email = `refresh${i}@bench.example.com`;
    const requested = await fetch(`${base}/v1/otp/request`, { method: 'POST', headers, body: JSON.stringify({ email }) });
    const { challengeId } = (await requested.json()) as { challengeId: string };
    const code = /sign-in code is ([0-9]{6,9})/.exec(readFileSync(join(dataDir, 'mailbox', `${challengeId}.eml`), 'utf8'))?.[1];
    const verified = await fetch(`${base}/v1/otp/verify`, { method: 'POST', headers, body: JSON.stringify({ email, code }) });
    sessions.push((await verified.json()) as Session);
  }
  return sessions;
}

/**
 * Refreshes of the sessions in a pool: a request takes a session's current refresh token out,
 * its answer puts the new one back (autocannon resets a connection's context after each request,
 * so the tokens cannot live there). With at least as many sessions as connections the pool never
 * runs dry, and no token is ever presented twice (which would end its session as a reuse).
 */
function refreshLoad(apiKey: string, sessions: Session[]): autocannon.Request[] {
  const pool = sessions.map((s) => s.refreshToken);
  return [
    {
      method: 'POST',
      path: '/v1/tokens/refresh',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      setupRequest: (req) => ({ ...req, body: JSON.stringify({ refreshToken: pool.shift() }) }),
      onResponse: (status, body) => {
        if (status === 200) pool.push((JSON.parse(body) as Session).refreshToken);
      },
    },
  ];
}
