import { Router } from 'express';
import { z } from 'zod';
import { READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { bearerToken, parseOr400, problems } from '@otp/platform/http';
import type { RebuildProgress } from '@otp/projection-service';
import { RebuildInProgressError, type ProjectionThread } from '../projection-thread';

const RebuildParams = z.object({ name: z.string() }).strict();

/** One NDJSON line of a rebuild's progress; positions as decimal strings (JSON has no bigint). */
export const progressLine = (progress: RebuildProgress): string =>
  `${JSON.stringify({ ...progress, position: progress.position?.toString() ?? null })}\n`;

/**
 * `POST /v1/admin/projections/{name}/rebuild` (operator): rebuilds one projection beside the live
 * one on the projection thread and swaps it in while the server serves. The answer streams the
 * progress as NDJSON, one line a second and a last line with phase `done` (or `failed`), so
 * `npm run rebuild` can show it; the rebuild goes on if the caller hangs up.
 */
export function rebuildRoutes(deps: { projections: ProjectionThread; checkOperator: (presented: string) => void }): Router {
  const router = Router();
  router.post('/v1/admin/projections/:name/rebuild', async (req, res) => {
    deps.checkOperator(bearerToken(req));
    const { name } = parseOr400(RebuildParams, req.params, 'path');
    if (!(READ_MODEL_PROJECTIONS as readonly string[]).includes(name)) {
      throw problems.notFound(`no projection ${name}; there are ${READ_MODEL_PROJECTIONS.join(', ')}`);
    }
    let streaming = false;
    const write = (line: string) => {
      if (!streaming) {
        streaming = true;
        res.status(200).type('application/x-ndjson').setHeader('Cache-Control', 'no-store');
      }
      if (!res.writableEnded) res.write(line);
    };
    try {
      const result = await deps.projections.rebuild(name, (progress) => write(progressLine(progress)));
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
