import { problemTypes, type Problem } from '@otp/contracts';

/** Thrown anywhere in a request; the error middleware turns it into problem+json. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    detail?: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
  }

  toProblem(instance?: string): Problem {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
  }
}

export const problems = {
  validation: (errors: { path: string; message: string }[], detail = 'the request is not valid') =>
    new ProblemError(400, problemTypes.validation, 'Invalid request', detail, { errors }),
  unauthenticated: (detail: string) =>
    new ProblemError(401, problemTypes.unauthenticated, 'Authentication required', detail, {}, { 'WWW-Authenticate': 'Bearer' }),
  invalidApiKey: () =>
    new ProblemError(
      401,
      problemTypes.invalidApiKey,
      'Invalid credentials',
      'the bearer credential is not valid',
      {},
      {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      },
    ),
  forbidden: (scope: string) =>
    new ProblemError(403, problemTypes.forbidden, 'Insufficient scope', `this API key lacks the scope ${scope}`, { requiredScope: scope }),
  notFound: (detail = 'no such resource') => new ProblemError(404, problemTypes.notFound, 'Not found', detail),
  conflict: (detail: string) => new ProblemError(409, problemTypes.conflict, 'Conflict', detail),
  unavailable: (detail: string) => new ProblemError(503, problemTypes.unavailable, 'Service unavailable', detail),
};
