import { Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStoreUnavailableError } from '../event-store/port';
import { createLogger } from '../logging/index';
import { createHttpApp } from './create-http-app';
import { createMetrics } from './metrics';
import { serve } from './serve';

const logger = createLogger({ level: 'silent' });
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function serveThrowing(error: Error): Promise<string> {
  const router = Router();
  router.post('/write', () => {
    throw error;
  });
  const app = createHttpApp({ logger, metrics: createMetrics(), routers: [router], readiness: {}, openapi: () => ({}) });
  const serving = await serve(app, { port: 0, host: '127.0.0.1', logger, signals: [], close: async () => undefined });
  stops.push(() => serving.shutdown('test'));
  return `http://127.0.0.1:${serving.port}/write`;
}

describe('error handler', () => {
  it('answers an event store that is down for a moment with a 503 to retry, naming nothing inside', async () => {
    const url = await serveThrowing(new EventStoreUnavailableError('event store writer thread exited (code 1) at /data/events.sqlite'));
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 503, title: 'Service unavailable', instance: '/write' });
    expect(JSON.stringify(body)).not.toMatch(/writer|sqlite|data/);
  });

  it('answers anything unknown with a bare 500 that leaks nothing', async () => {
    const url = await serveThrowing(new Error('secret detail at /data/events.sqlite'));
    const res = await fetch(url, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(res.headers.get('retry-after')).toBeNull();
    expect(JSON.stringify(await res.json())).not.toMatch(/secret|sqlite/);
  });
});
