import { z } from 'zod';

/** A rotation takes nothing: the key is generated on the server, so none ever travels in a request. */
export const RotateSigningKeyBody = z.object({}).strict();

/** Which key signs now and which is published to sign after the next rotation: kids only, never a key. */
export const RotatedSigningKey = z.object({ currentKid: z.string(), nextKid: z.string() }).strict();
export type RotatedSigningKey = z.infer<typeof RotatedSigningKey>;
