import type { z } from 'zod';
import { problems } from './problem-error';

/** Parses a boundary input; a failure is a 400 problem listing every field error. */
export function parseOr400<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.flatMap((issue) => {
    // An unknown field is reported at its own path, so clients see which one.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ path: [...issue.path, k].join('.'), message: 'unknown field' }));
    }
    return [{ path: issue.path.join('.') || what, message: issue.message }];
  });
  throw problems.validation(errors, `the ${what} is not valid`);
}
