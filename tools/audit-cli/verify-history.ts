import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { JSONWebKeySet } from 'jose';
import {
  HistoryLine,
  HistoryVerifier,
  historyEventOfLine,
  verifyCheckpoint,
  type CheckpointClaims,
  type HistoryVerdict,
} from '@otp/contracts';
import { progress } from './progress';

/** The claims of a checkpoint (`which`, for the message), once its signature verified against `jwks`; throws otherwise. */
export async function trustedCheckpoint(jws: string, jwks: JSONWebKeySet, which: string): Promise<CheckpointClaims> {
  const claims = await verifyCheckpoint(jws, jwks);
  if (!claims) throw new Error(`${which} does not verify against the JWKS: not signed by the service`);
  return claims;
}

/**
 * Verifies a history from its lines with the functions the store seals with: each stream's
 * chain, the sequence numbers, the running hash, and the extension of `since`.
 */
export async function verifyLines(lines: AsyncIterable<HistoryLine>, since: CheckpointClaims | undefined): Promise<HistoryVerdict> {
  const verifier = new HistoryVerifier(since);
  const shown = progress('verify');
  for await (const line of lines) {
    if (since && line.metadata.tenantId !== since.tenantId) throw new Error(`sequence ${line.sequence} is not of ${since.tenantId}`);
    verifier.add(historyEventOfLine(line));
    shown.event(line.sequence);
  }
  shown.done();
  return verifier.verdict();
}

/** An exported file's lines, read as a stream. */
export async function* fileLines(path: string): AsyncGenerator<HistoryLine> {
  let number = 0;
  for await (const text of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    number += 1;
    if (!text) continue;
    const parsed = HistoryLine.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${path}:${number}: not an exported event`);
    yield parsed.data;
  }
}
