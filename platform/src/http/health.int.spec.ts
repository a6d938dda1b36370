import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index';
import { createHttpApp } from './create-http-app';
import { createMetrics } from './metrics';
import type { ReadinessChecks } from './readiness';
import { serve } from './serve';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const ok = async () => undefined;
const failing = (reason: string) => async () => {
  throw new Error(reason);
};

async function start(readiness: ReadinessChecks, degradation?: ReadinessChecks) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const app = createHttpApp({ logger, metrics: createMetrics(), routers: [], readiness, degradation, openapi: () => ({}) });
  const serving = await serve(app, {
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ level: 'silent' }),
    signals: [],
    close: async () => undefined,
  });
  stops.push(() => serving.shutdown('test'));
  const ready = async () => {
    const res = await fetch(`http://127.0.0.1:${serving.port}/health/ready`);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  return { ready, lines };
}

describe('/health/ready', () => {
  it('answers 200 ok with every check named when all pass', async () => {
    const { ready } = await start({ eventStore: ok }, { projections: ok });
    const answer = await ready();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ status: 'ok', checks: { eventStore: 'ok', projections: 'ok' } });
  });

  it('answers 503 problem+json when a required check fails, and keeps the reason for the log', async () => {
    const { ready, lines } = await start(
      { eventStore: failing('writer thread exited at /data/events.sqlite'), readModels: ok },
      { projections: ok },
    );
    const answer = await ready();
    expect(answer.status).toBe(503);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.text)).toMatchObject({ status: 503, checks: { eventStore: 'failing', readModels: 'ok', projections: 'ok' } });
    expect(answer.text).not.toMatch(/writer|sqlite|data/);
    await ready();
    // Logged when it starts failing, not on every probe.
    expect(lines.filter((l) => l.msg === 'readiness check failing')).toEqual([
      expect.objectContaining({ check: 'eventStore', reason: 'writer thread exited at /data/events.sqlite' }),
    ]);
  });

  it('stays 200 but says degraded when only a degradation check fails', async () => {
    const { ready } = await start({ eventStore: ok }, { projections: failing('projection stopped at event 42') });
    const answer = await ready();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ status: 'degraded', checks: { eventStore: 'ok', projections: 'failing' } });
  });

  it('logs when a failing check passes again', async () => {
    let down = true;
    const { ready, lines } = await start({
      eventStore: async () => {
        if (down) throw new Error('busy');
      },
    });
    expect((await ready()).status).toBe(503);
    down = false;
    expect((await ready()).status).toBe(200);
    expect(lines.filter((l) => 'check' in l).map((l) => [l.msg, l.check])).toEqual([
      ['readiness check failing', 'eventStore'],
      ['readiness check passes again', 'eventStore'],
    ]);
  });
});
