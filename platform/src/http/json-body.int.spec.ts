import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { Router } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/index';
import { createHttpApp } from './create-http-app';
import { createMetrics } from './metrics';
import { serve } from './serve';

const logger = createLogger({ level: 'silent' });
let port: number;
let stop: () => Promise<void>;
let handled: unknown[];

beforeEach(async () => {
  handled = [];
  const router = Router();
  router.post('/echo', (req, res) => {
    handled.push(req.body);
    res.json({ got: req.body as unknown });
  });
  const app = createHttpApp({ logger, metrics: createMetrics(), routers: [router], readiness: {}, openapi: () => ({}) });
  const serving = await serve(app, { port: 0, host: '127.0.0.1', logger, signals: [], close: async () => undefined });
  port = serving.port;
  stop = () => serving.shutdown('test');
});
afterEach(() => stop());

/** Raw node:http, since fetch fixes Content-Length and will not send some of these bodies. */
function post(
  headers: Record<string, string>,
  body: Buffer | string,
): Promise<{ status: number; type: string | undefined; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: res.headers['content-type'],
          body: JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('JSON bodies', () => {
  it('reads gzip-encoded JSON', async () => {
    const body = gzipSync(JSON.stringify({ a: 1 }));
    const answer = await post(
      { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length) },
      body,
    );
    expect(answer).toMatchObject({ status: 200, body: { got: { a: 1 } } });
  });

  it.each([
    ['a charset it does not read', { 'content-type': 'application/json; charset=latin1' }, '{"a":1}', 415, /unsupported charset/],
    [
      'a content encoding it does not read',
      { 'content-type': 'application/json', 'content-encoding': 'compress' },
      '{"a":1}',
      415,
      /unsupported content encoding/,
    ],
    ['a broken gzip stream', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'not gzip at all', 400, /.+/],
  ])('answers %s with a 4xx problem, not a 500, and runs no handler', async (_case, headers, body, status, detail) => {
    const answer = await post({ ...headers, 'content-length': String(Buffer.byteLength(body)) }, body);
    expect(answer.status).toBe(status);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(answer.body.detail).toMatch(detail);
    expect(handled).toEqual([]);
  });
});
