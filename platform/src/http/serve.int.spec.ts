import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index';
import { bindPort, DEFAULT_CONNECTION_LIMITS, serve, type ConnectionLimits } from './serve';

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

describe('slow clients', () => {
  // Short limits, so the cases take a second; the defaults are asserted separately.
  const limits: ConnectionLimits = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 200, maxConnections: 3 };
  const start = async () => {
    const app = express();
    app.use(express.json());
    app.post('/echo', (req, res) => {
      res.json(req.body as unknown);
    });
    return serve(app, { port: 0, host: '127.0.0.1', limits, logger, signals: [], close: async () => undefined });
  };
  const open = async (port: number): Promise<Socket> => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    return socket;
  };
  /** Sends `text` one byte every 100 ms until the server closes the socket; resolves with how many bytes it took. */
  const drip = (socket: Socket, text: string) =>
    new Promise<number>((resolve) => {
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < text.length && !socket.destroyed) socket.write(text[sent++]!);
      }, 100);
      socket.on('error', () => undefined);
      socket.once('close', () => {
        clearInterval(timer);
        resolve(sent);
      });
    });

  it('uses 10 s for headers, 30 s for the request, 5 s keep-alive and a connection cap by default', () => {
    expect(DEFAULT_CONNECTION_LIMITS).toEqual({
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 5_000,
      maxConnections: 1_000,
    });
  });

  it('closes a connection that sends its headers one byte at a time', async () => {
    const serving = await start();
    const socket = await open(serving.port);
    const headers = 'POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Padding: ' + 'a'.repeat(200);
    const sent = await drip(socket, headers);
    // Closed by the server, long before the headers could be finished.
    expect(sent).toBeLessThan(headers.length);
    await serving.shutdown('test');
  });

  it('closes a connection that sends its body one byte at a time', async () => {
    const serving = await start();
    const socket = await open(serving.port);
    const body = JSON.stringify({ text: 'b'.repeat(200) });
    socket.write(`POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    const sent = await drip(socket, body);
    expect(sent).toBeLessThan(body.length);
    await serving.shutdown('test');
  });

  it('closes an idle keep-alive connection after its response', async () => {
    const serving = await start();
    const socket = await open(serving.port);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.write('POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}');
    await once(socket, 'close');
    expect(Buffer.concat(received).toString()).toMatch(/^HTTP\/1\.1 200 /);
    await serving.shutdown('test');
  });

  it('closes connections over the cap as they arrive, and keeps those within it', async () => {
    const serving = await start();
    const held = await Promise.all(Array.from({ length: limits.maxConnections }, () => open(serving.port)));
    // Each held connection starts a request, so none of them is idle while the extra one arrives.
    for (const socket of held) socket.write('POST /echo HTTP/1.1\r\nHost: localhost\r\n');
    await sleep(50);
    const extra = await open(serving.port);
    extra.on('error', () => undefined);
    await once(extra, 'close');
    expect(held.some((s) => s.destroyed)).toBe(false);
    for (const socket of held) socket.destroy();
    await serving.shutdown('test');
  });
});
