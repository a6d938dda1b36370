import { z } from 'zod';
import { IsoTimestamp } from '../ids';

export const Actor = z.union([
  z.string().regex(/^apiKey:key_[0-9a-f]{12}$/),
  z.string().regex(/^user:usr_[0-9a-f]{16}$/),
  z.literal('operator'),
  z.literal('system'),
]);
export type Actor = z.infer<typeof Actor>;

/** What the write side attaches to every event; the store adds `hash`. */
export const EventMetadata = z
  .object({
    schemaVersion: z.number().int().positive(),
    occurredAt: IsoTimestamp,
    tenantId: z.string(),
    actor: Actor,
    correlationId: z.string(),
    causationId: z.string(),
    requestId: z.string(),
    clientIp: z.string().optional(),
    userAgent: z.string().optional(),
    hash: z.string().optional(),
  })
  .strict();
export type EventMetadata = z.infer<typeof EventMetadata>;
