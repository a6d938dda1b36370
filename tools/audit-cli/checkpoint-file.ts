import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { CheckpointResponse } from '@otp/contracts';

/** One saved checkpoint: the signed JWS, its claims, and the JWKS it verified against when saved. */
const SavedCheckpoint = CheckpointResponse.extend({
  savedAt: z.string(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
});
export type SavedCheckpoint = z.infer<typeof SavedCheckpoint>;

/**
 * The auditor's own record of checkpoints, kept outside the service: one JSON line per
 * checkpoint, appended, never rewritten, so the file is the history of what the service
 * signed. The JWKS is kept with each, so a checkpoint verifies offline after its key rotated out.
 */
export function checkpointFile(path: string) {
  return {
    path,
    all(): SavedCheckpoint[] {
      if (!existsSync(path)) return [];
      return readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line, i) => {
          const parsed = SavedCheckpoint.safeParse(JSON.parse(line));
          if (!parsed.success) throw new Error(`${path}:${i + 1}: not a saved checkpoint`);
          return parsed.data;
        });
    },
    last(): SavedCheckpoint | undefined {
      return this.all().at(-1);
    },
    save(checkpoint: CheckpointResponse, jwks: JSONWebKeySet): SavedCheckpoint {
      const saved = SavedCheckpoint.parse({ ...checkpoint, savedAt: new Date().toISOString(), jwks });
      appendFileSync(path, `${JSON.stringify(saved)}\n`);
      return saved;
    },
  };
}
