import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index';
import { serve } from './serve';

const logger = createLogger({ level: 'silent' });

describe('serve', () => {
  it('drains a request in flight before closing the dependencies, and refuses new connections', async () => {
    const order: string[] = [];
    const app = express();
    app.get('/slow', async (_req, res) => {
      await sleep(150);
      order.push('request finished');
      res.json({ ok: true });
    });
    const serving = await serve(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      signals: [],
      close: async () => {
        order.push('dependencies closed');
      },
    });
    const url = `http://127.0.0.1:${serving.port}`;

    const inFlight = fetch(`${url}/slow`);
    await sleep(30);
    const started = Date.now();
    const stopped = serving.shutdown('test');
    expect((await inFlight).status).toBe(200);
    await stopped;
    // Not the seconds a client keeps an idle keep-alive connection open.
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(order).toEqual(['request finished', 'dependencies closed']);
    await expect(fetch(`${url}/slow`)).rejects.toThrow();
    // A second signal must not close the dependencies twice.
    await serving.shutdown('again');
    expect(order).toHaveLength(2);
  });

  it('cuts connections that outlive the grace period', async () => {
    const app = express();
    app.get('/hang', () => undefined);
    let closed = false;
    const serving = await serve(app, {
      port: 0,
      host: '127.0.0.1',
      logger,
      signals: [],
      graceMs: 50,
      close: async () => {
        closed = true;
      },
    });
    const hanging = fetch(`http://127.0.0.1:${serving.port}/hang`).catch((error: unknown) => error);
    await sleep(30);
    await serving.shutdown('test');
    expect(closed).toBe(true);
    expect(await hanging).toBeInstanceOf(Error);
  });
});
