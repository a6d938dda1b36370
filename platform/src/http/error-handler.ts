import type { NextFunction, Request, Response } from 'express';
import { problemTypes } from '@otp/contracts';
import { EventStoreUnavailableError } from '../event-store/port';
import { ProblemError } from './problem-error';

export function sendProblem(res: Response, error: ProblemError, instance?: string): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(error.toProblem(instance)));
}

export function notFoundHandler(req: Request, res: Response): void {
  sendProblem(res, new ProblemError(404, problemTypes.notFound, 'Not found', `no route for ${req.method} ${req.path}`));
}

/**
 * Last middleware. Known problems go out as they are; a store that is down for
 * a moment is a 503 the client may retry; anything else is logged with its
 * stack and answered with a bare 500 that leaks nothing.
 */
export function errorHandler() {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (res.headersSent) {
      req.log?.error({ err: error }, 'error after response started');
      return;
    }
    if (error instanceof ProblemError) return sendProblem(res, error, req.originalUrl.split('?')[0]);
    if (error instanceof EventStoreUnavailableError) {
      req.log?.warn({ err: error.message }, 'event store unavailable');
      const problem = new ProblemError(
        503,
        problemTypes.unavailable,
        'Service unavailable',
        'the service cannot record this right now; retry shortly',
        {},
        {
          'Retry-After': '1',
        },
      );
      return sendProblem(res, problem, req.originalUrl.split('?')[0]);
    }
    req.log?.error({ err: error }, 'unhandled error');
    sendProblem(res, new ProblemError(500, problemTypes.internal, 'Internal error', `something failed; quote request id ${req.id}`));
  };
}
