import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index';
import { bindPort, serve } from './serve';

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

describe('bindPort', () => {
  it('names PORT and HOST and how to choose another when the port is taken', async () => {
    const holder = await bindPort(0, '127.0.0.1');
    try {
      await expect(bindPort(holder.port, '127.0.0.1')).rejects.toThrow(
        `PORT=${holder.port} is already in use on HOST=127.0.0.1: stop the process that holds it, or choose another port, e.g. PORT=${holder.port + 1}`,
      );
    } finally {
      holder.server.close();
    }
  });

  it('answers 503 with Retry-After until the app is attached', async () => {
    const bound = await bindPort(0, '127.0.0.1');
    const app = express();
    app.get('/ping', (_req, res) => {
      res.json({ ok: true });
    });
    const early = await fetch(`http://127.0.0.1:${bound.port}/ping`);
    expect(early.status).toBe(503);
    expect(early.headers.get('retry-after')).toBe('1');
    expect(early.headers.get('content-type')).toBe('application/problem+json');
    const serving = await serve(app, { port: bound.port, host: '127.0.0.1', bound, logger, signals: [], close: async () => undefined });
    expect((await fetch(`http://127.0.0.1:${bound.port}/ping`)).status).toBe(200);
    await serving.shutdown('test');
  });
});
