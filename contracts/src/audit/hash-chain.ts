import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The first link of every stream's chain. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEvent {
  streamName: string;
  revision: bigint;
  id: string;
  type: string;
  data: unknown;
  /** Metadata without its own `hash`. */
  metadata: Record<string, unknown>;
}

/** hash = SHA-256(prevHash || canonical event), hex. Covers what is stored, so re-verification needs nothing else. */
export function chainHash(prevHash: string, event: ChainedEvent): string {
  const { hash: _ignored, ...metadata } = event.metadata;
  const canonical = canonicalJson({
    streamName: event.streamName,
    revision: event.revision,
    id: event.id,
    type: event.type,
    data: event.data,
    metadata,
  });
  return createHash('sha256').update(prevHash).update(canonical).digest('hex');
}
