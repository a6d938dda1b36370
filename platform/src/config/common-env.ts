import { z } from 'zod';

/** Environment settings every process shares. Each service extends this with its own. */
export const CommonEnv = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Express `trust proxy`: a hop count, or a list of addresses; unset means client ips are the socket's. */
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => (v === undefined ? undefined : /^[0-9]+$/.test(v) ? Number(v) : v)),
});

/** A secret given in the environment must at least be long enough to be one. */
export const SecretEnv = z.string().min(32, 'must be at least 32 characters');

/**
 * The key other services of the deployment present in `X-Service-Key` for the customer lookups
 * (`/v1/service/customers`). Unset: the lookups refuse every caller.
 */
export const ServiceKeyEnv = { SERVICE_KEY: SecretEnv.optional() };
