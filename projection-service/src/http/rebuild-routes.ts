import { Router } from 'express';
import { z } from 'zod';
import { problemTypes, READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { bearerToken, parseOr400, problems, ProblemError } from '@otp/platform/http';
import { RebuildInProgressError, type RebuildProgress } from '../rebuild/index';

const RebuildParams = z.object({ name: z.string() }).strict();

/** What runs the projections in this process: the embedded projection thread, or a projection-service's term of the lease. */
export interface Rebuilder {
  /** Rejects with a `RebuildInProgressError` while the same projection is being rebuilt. */
  rebuild(projection: string, onProgress: (progress: RebuildProgress) => void): Promise<RebuildProgress>;
}

/** One NDJSON line of a rebuild's progress; positions as decimal strings (JSON has no bigint). */
export const progressLine = (progress: RebuildProgress): string =>
  `${JSON.stringify({ ...progress, position: progress.position?.toString() ?? null })}\n`;

/**
 * A standby projection-service does not project, so it has nothing to rebuild beside: 503, not
 * 409, because the refusal is about this instance and not the projection's state. The same
 * request sent to the lease holder (or here, once this instance takes the lease over) succeeds.
 */
const standingBy = () =>
  new ProblemError(
    503,
    problemTypes.notLeaseHolder,
    'Not the active instance',
    'this projection-service stands by and projects nothing; send the rebuild to the instance that holds the lease (its log says "lease taken")',
  );

/**
 * `POST /v1/admin/projections/{name}/rebuild` (operator): rebuilds one projection beside the live
 * one and swaps it in while the service serves. The answer streams the progress as NDJSON, one
 * line a second and a last line with phase `done` (or `failed`), so `npm run rebuild` can show
 * it; the rebuild goes on if the caller hangs up. `rebuilder` is undefined on a standby.
 */
export function rebuildRoutes(deps: { rebuilder: () => Rebuilder | undefined; checkOperator: (presented: string) => void }): Router {
  const router = Router();
  router.post('/v1/admin/projections/:name/rebuild', async (req, res) => {
    deps.checkOperator(bearerToken(req));
    const { name } = parseOr400(RebuildParams, req.params, 'path');
    if (!(READ_MODEL_PROJECTIONS as readonly string[]).includes(name)) {
      throw problems.notFound(`no projection ${name}; there are ${READ_MODEL_PROJECTIONS.join(', ')}`);
    }
    const rebuilder = deps.rebuilder();
    if (!rebuilder) throw standingBy();
    let streaming = false;
    const write = (line: string) => {
      if (!streaming) {
        streaming = true;
        res.status(200).type('application/x-ndjson').setHeader('Cache-Control', 'no-store');
      }
      if (!res.writableEnded) res.write(line);
    };
    try {
      const result = await rebuilder.rebuild(name, (progress) => write(progressLine(progress)));
      write(progressLine(result));
      res.end();
    } catch (error) {
      if (error instanceof RebuildInProgressError) throw problems.conflict(error.message);
      if (!streaming) throw error;
      // The status line is gone: the failure is the stream's last line.
      write(`${JSON.stringify({ projection: name, phase: 'failed', error: (error as Error).message })}\n`);
      res.end();
    }
  });
  return router;
}
