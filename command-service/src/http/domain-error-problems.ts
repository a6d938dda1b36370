import type { NextFunction, Request, Response } from 'express';
import { problemTypes } from '@otp/contracts';
import { ProblemError } from '@otp/platform/http';
import { DomainError } from '../handling/decider';
import { ConcurrencyError } from '../handling/command-handler';

const statusByCode: Record<string, [number, string, string]> = {
  customer_exists: [409, problemTypes.conflict, 'Customer exists'],
  key_exists: [409, problemTypes.conflict, 'API key exists'],
  session_exists: [409, problemTypes.conflict, 'Session exists'],
  too_many_keys: [409, problemTypes.conflict, 'Too many API keys'],
  customer_not_found: [404, problemTypes.notFound, 'Not found'],
  customer_inactive: [403, problemTypes.customerInactive, 'Customer inactive'],
  challenge_locked: [429, problemTypes.challengeLocked, 'Too many attempts'],
};

/** Turns a decider's refusal into a problem; an unknown refusal code is a 422 that names it. */
export function domainErrorProblems() {
  return (error: unknown, _req: Request, _res: Response, next: NextFunction) => {
    if (error instanceof DomainError) {
      const [status, type, title] = statusByCode[error.code] ?? [422, `${problemTypes.conflict}#${error.code}`, 'Refused'];
      const { retryAfterSeconds } = error.details;
      const headers: Record<string, string> = typeof retryAfterSeconds === 'number' ? { 'Retry-After': String(retryAfterSeconds) } : {};
      return next(new ProblemError(status, type, title, error.message, { code: error.code }, headers));
    }
    if (error instanceof ConcurrencyError) {
      return next(new ProblemError(409, problemTypes.conflict, 'Concurrent update', 'the resource changed while this request ran; retry', {}, { 'Retry-After': '1' }));
    }
    next(error);
  };
}
