import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index';
import { createHttpApp, type ReadinessChecks } from './create-http-app';
import { createMetrics } from './metrics';
import { serve } from './serve';

const logger = createLogger({ level: 'silent' });
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const ok = async () => undefined;
const failing = (reason: string) => async () => {
  throw new Error(reason);
};

async function ready(readiness: ReadinessChecks, degradation?: ReadinessChecks) {
  const app = createHttpApp({ logger, metrics: createMetrics(), routers: [], readiness, degradation, openapi: () => ({}) });
  const serving = await serve(app, { port: 0, host: '127.0.0.1', logger, signals: [], close: async () => undefined });
  stops.push(() => serving.shutdown('test'));
  const res = await fetch(`http://127.0.0.1:${serving.port}/health/ready`);
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Record<string, unknown> };
}

describe('/health/ready', () => {
  it('answers 200 ok with every check named when all pass', async () => {
    await expect(ready({ eventStore: ok }, { projections: ok })).resolves.toMatchObject({
      status: 200,
      body: { status: 'ok', checks: { eventStore: 'ok', projections: 'ok' } },
    });
  });

  it('answers 503 problem+json naming the dependency when a required check fails', async () => {
    const answer = await ready({ eventStore: failing('writer thread exited'), readModels: ok }, { projections: ok });
    expect(answer.status).toBe(503);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body).toMatchObject({ status: 503, checks: { eventStore: 'writer thread exited', readModels: 'ok', projections: 'ok' } });
  });

  it('stays 200 but says degraded when only a degradation check fails', async () => {
    await expect(ready({ eventStore: ok }, { projections: failing('projection stopped at event 42') })).resolves.toMatchObject({
      status: 200,
      body: { status: 'degraded', checks: { eventStore: 'ok', projections: 'projection stopped at event 42' } },
    });
  });
});
