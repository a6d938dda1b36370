import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index';
import { createHttpApp } from './create-http-app';
import { createMetrics } from './metrics';

/** A self-signed certificate for 127.0.0.1 from the openssl CLI, or the reason there is none. */
function selfSigned(dir: string): { key: Buffer; cert: Buffer } | string {
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  const args = '-x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1';
  const written = spawnSync('openssl', ['req', ...args.split(' '), '-keyout', key, '-out', cert]);
  if (written.error) return `the openssl CLI cannot run (${written.error.message})`;
  if (written.status !== 0) return `openssl could not make a certificate: ${written.stderr.toString().trim()}`;
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

const dir = mkdtempSync(join(tmpdir(), 'otp-tls-'));
const tls = selfSigned(dir);
if (typeof tls === 'string') console.warn(`HSTS over a TLS socket skipped: ${tls}`);

/** Over a real TLS socket (no proxy in between), every answer carries Strict-Transport-Security. */
describe.skipIf(typeof tls === 'string')('security headers over TLS', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    const { key, cert } = tls as { key: Buffer; cert: Buffer };
    const app = createHttpApp({
      logger: createLogger({ level: 'silent' }),
      metrics: createMetrics(),
      routers: [],
      readiness: {},
      openapi: () => ({}),
    });
    server = createServer({ key, cert }, app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends HSTS with the other headers', async () => {
    const { cert } = tls as { key: Buffer; cert: Buffer };
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/health/live', ca: cert }, (res) => {
        res.resume();
        resolve(res.headers);
      }).on('error', reject);
    });
    expect(headers).toMatchObject({
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
    });
  });
});
