import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, load, startProcess, type LoadFigures } from './support';

const ROOT = resolve(import.meta.dirname, '..');
const OPERATOR_TOKEN = 'op_bench_token_long_enough_0123456789abcdef';
const CONNECTIONS = 50;

type PairContext = { email?: string; challengeId?: string };

/**
 * Request+verify pairs over HTTP against the embedded server (the bundle
 * `npm start` runs, dev mailbox, real SQLite file), beside a bare express
 * route measured in the same run on the same machine.
 */
export async function benchHttp(durationSeconds: number): Promise<{ bare: LoadFigures; service: LoadFigures; ratio: number }> {
  console.log('HTTP: bare express baseline');
  const barePort = await freePort();
  const bare = await startProcess([join(ROOT, 'bench/bare-express.mjs')], {}, barePort, '/');
  const bareFigures = await load(
    {
      url: `http://127.0.0.1:${barePort}`,
      connections: CONNECTIONS,
      duration: durationSeconds,
      requests: [{ method: 'POST', path: '/v1/otp/request', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'a@example.com' }) }],
    },
    'bare express POST',
  );
  await bare.stop();

  console.log('HTTP: embedded service, request+verify pairs');
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
    const registered = await fetch(`${base}/v1/admin/customers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', email: 'bench@example.com' }),
    }).then((r) => r.json() as Promise<{ apiKey: { key: string } }>);
    const headers = { authorization: `Bearer ${registered.apiKey.key}`, 'content-type': 'application/json' };
    const mailbox = join(dataDir, 'mailbox');
    let sequence = 0;
    const serviceFigures = await load(
      {
        url: base,
        connections: CONNECTIONS,
        duration: durationSeconds,
        requests: [
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
        ],
      },
      'request+verify pairs',
    );
    const ratio = Math.round((serviceFigures.rps / bareFigures.rps) * 100) / 100;
    return { bare: bareFigures, service: serviceFigures, ratio };
  } finally {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
