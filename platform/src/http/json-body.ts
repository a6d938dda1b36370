import express, { type NextFunction, type Request, type Response } from 'express';
import { problemTypes } from '@otp/contracts';
import { ProblemError } from './problem-error';

/**
 * JSON bodies only, of bounded size. Parser failures become problems here so
 * each has its own type: malformed or unreadable (400), too large (413), wrong
 * media type, charset or content encoding (415).
 */
export function jsonBody(limit = '16kb') {
  const parse = express.json({ limit, strict: true, type: () => true });
  return (req: Request, res: Response, next: NextFunction) => {
    const length = req.headers['content-length'];
    const hasBody = (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody) return next();
    if (!req.is('application/json') && !req.is('application/*+json')) {
      return next(new ProblemError(415, problemTypes.unsupportedMediaType, 'Unsupported media type', 'send the body as application/json'));
    }
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large') {
        return next(new ProblemError(413, problemTypes.payloadTooLarge, 'Payload too large', `the body exceeds ${limit}`));
      }
      if (type === 'entity.parse.failed') {
        return next(new ProblemError(400, problemTypes.malformedJson, 'Malformed JSON', 'the body is not valid JSON'));
      }
      // The client's other mistakes (a charset or content encoding we do not read, a body shorter
      // than its Content-Length, a broken gzip stream) are 4xx as well, not our failure; the
      // parser marks their messages as safe to show.
      const { status, expose, message } = error as { status?: number; expose?: boolean; message?: string };
      if (typeof status === 'number' && status >= 400 && status < 500) {
        const detail = expose && message ? message : 'the body could not be read';
        if (status === 415) return next(new ProblemError(415, problemTypes.unsupportedMediaType, 'Unsupported media type', detail));
        return next(new ProblemError(400, problemTypes.malformedJson, 'Unreadable body', detail));
      }
      next(error);
    });
  };
}
