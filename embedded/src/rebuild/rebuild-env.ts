import { z } from 'zod';
import { READ_MODEL_PROJECTIONS } from '@otp/contracts';
import { CommonEnv } from '@otp/platform/config';
import { DataDirEnv } from '../config';

/**
 * `npm run rebuild`'s environment, with the projection the command line names. Without
 * PROJECTION_SERVICE_URL it is the embedded server's (DATA_DIR, HOST, PORT); with it, the
 * token must come from the environment, since no DATA_DIR holds the projection-service's.
 */
export const RebuildEnv = z
  .object({
    DATA_DIR: DataDirEnv,
    HOST: CommonEnv.shape.HOST,
    PORT: CommonEnv.shape.PORT,
    LOG_LEVEL: CommonEnv.shape.LOG_LEVEL,
    OPERATOR_TOKEN: z.string().optional(),
    /** The active projection-service's base URL (distributed form): the rebuild is asked of it, never done here. */
    PROJECTION_SERVICE_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
    projection: z.enum(READ_MODEL_PROJECTIONS as [string, ...string[]], {
      error: `give one of ${READ_MODEL_PROJECTIONS.join(', ')}: npm run rebuild -- <projection>`,
    }),
  })
  .refine((config) => config.PROJECTION_SERVICE_URL === undefined || config.OPERATOR_TOKEN !== undefined, {
    path: ['OPERATOR_TOKEN'],
    message: 'is required with PROJECTION_SERVICE_URL: the projection-service has no DATA_DIR to read it from',
  });
export type RebuildConfig = z.infer<typeof RebuildEnv>;
