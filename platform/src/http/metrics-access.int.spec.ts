import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index';
import { createHttpApp } from './create-http-app';
import { createMetrics } from './metrics';
import { metricsPlacement, serveMetricsListener } from './metrics-access';
import { serve } from './serve';

const TOKEN = 'op_metrics_spec_token_long_enough_0123456789';
const logger = createLogger({ level: 'silent' });
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** The API's port and, with METRICS_PORT, the metrics listener, as a service's main starts them. */
async function start(env: { METRICS_ACCESS: 'public' | 'operator'; METRICS_PORT?: number }) {
  const metrics = createMetrics();
  const { metricsAccess, metricsApp } = metricsPlacement(env, metrics, TOKEN, logger);
  const app = createHttpApp({ logger, metrics, metricsAccess, routers: [], readiness: {}, openapi: () => ({}) });
  const api = await serve(app, { port: 0, host: '127.0.0.1', logger, signals: [], close: async () => {} });
  const listener = await serveMetricsListener(metricsApp, { ...env, HOST: '127.0.0.1' }, logger);
  stops.push(
    () => api.shutdown('test'),
    async () => listener?.shutdown('test'),
  );
  const get = (port: number | undefined, token?: string) =>
    fetch(`http://127.0.0.1:${port}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { api: (token?: string) => get(api.port, token), listener: (token?: string) => get(listener?.port, token) };
}

describe('/metrics access', () => {
  it('asks for the operator token on the API port when so configured', async () => {
    const { api } = await start({ METRICS_ACCESS: 'operator' });
    expect((await api()).status).toBe(401);
    expect((await api(`${TOKEN}0`)).status).toBe(401);
    expect((await api(TOKEN)).status).toBe(200);
  });

  it('moves to a listener of its own with METRICS_PORT: gone from the API port, there behind its access', async () => {
    const open = await start({ METRICS_ACCESS: 'public', METRICS_PORT: 0 });
    expect((await open.api(TOKEN)).status).toBe(404);
    const answer = await open.listener();
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('http_request_duration_seconds');

    const guarded = await start({ METRICS_ACCESS: 'operator', METRICS_PORT: 0 });
    expect((await guarded.listener()).status).toBe(401);
    expect((await guarded.listener(TOKEN)).status).toBe(200);
  });

  it('refuses to start behind the operator without an operator token', () => {
    expect(() => metricsPlacement({ METRICS_ACCESS: 'operator' }, createMetrics(), undefined, logger)).toThrow(/OPERATOR_TOKEN/);
  });
});
