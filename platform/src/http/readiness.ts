import type { Request, Response } from 'express';
import type { Logger } from '../logging/index';
import { problems } from './problem-error';

export type ReadinessChecks = Record<string, () => Promise<void>>;

const CHECK_TIMEOUT_MS = 2_000;

/**
 * GET /health/ready. Failing `required` checks answer 503 (take this instance
 * out of traffic); failing `degradation` checks answer 200 `degraded`. Anyone
 * may call it, so the body says only `ok` or `failing` per check: the reasons
 * (paths, hosts, event types) go to the log, once when a check starts failing
 * or its reason changes, and once when it recovers, not on every probe.
 */
export function readinessHandler(options: { required: ReadinessChecks; degradation: ReadinessChecks; logger: Logger }) {
  const lastReason = new Map<string, string>();
  const report = (name: string, reason: string) => {
    const before = lastReason.get(name) ?? 'ok';
    if (reason === before) return;
    lastReason.set(name, reason);
    if (reason === 'ok') options.logger.info({ check: name }, 'readiness check passes again');
    else options.logger.warn({ check: name, reason }, 'readiness check failing');
  };
  const run = (checks: ReadinessChecks) =>
    Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        const reason = await withTimeout(check());
        report(name, reason);
        return [name, reason === 'ok' ? 'ok' : 'failing'] as const;
      }),
    );

  return async (_req: Request, res: Response) => {
    const [required, optional] = await Promise.all([run(options.required), run(options.degradation)]);
    const checks = Object.fromEntries([...required, ...optional]);
    if (required.some(([, r]) => r !== 'ok')) {
      const problem = problems.unavailable('a dependency is not ready');
      return void res
        .status(503)
        .type('application/problem+json')
        .send(JSON.stringify({ ...problem.toProblem(), checks }));
    }
    res.json({ status: optional.every(([, r]) => r === 'ok') ? 'ok' : 'degraded', checks });
  };
}

async function withTimeout(check: Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return (error as Error).message || 'failed';
  } finally {
    clearTimeout(timer);
  }
}
