import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../logging/index';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
  }
}

// An incoming id is kept only when it is short and plain, so it cannot inject into logs or headers.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Gives every request an id (X-Request-Id in and out) and a child logger that carries it; logs one line per response. */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.header('x-request-id');
    req.id = incoming && SAFE_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', req.id);
    req.log = logger.child({ requestId: req.id });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      // The path only: query strings may one day carry something sensitive.
      const level = res.statusCode >= 500 ? 'error' : 'info';
      req.log[level]({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 100) / 100 }, 'request');
    });
    next();
  };
}
