import { chainHash } from '@otp/contracts/audit';
import type { EventToAppend } from './port';

/** An event as the store writes it: normalised to its stored JSON form and chained. */
export interface SealedEvent {
  id: string;
  type: string;
  revision: bigint;
  data: Record<string, unknown>;
  metadata: Record<string, unknown> & { hash: string };
  dataJson: string;
  metadataJson: string;
}

/**
 * Chains `events` onto a stream whose last event is `lastRevision` (-1n: none) with hash `lastHash`.
 *
 * Data and metadata are hashed in the form they take after a JSON round trip (a Date becomes
 * its ISO string, undefined members vanish), because the audit chain must be re-verifiable
 * from what was stored, not from what the caller happened to hold in memory.
 */
export function sealEvents(
  streamName: string,
  lastRevision: bigint,
  lastHash: string,
  events: readonly EventToAppend[],
): { sealed: SealedEvent[]; lastHash: string } {
  const sealed: SealedEvent[] = [];
  let prevHash = lastHash;
  let revision = lastRevision;
  for (const event of events) {
    revision += 1n;
    const dataJson = JSON.stringify(event.data);
    const data = JSON.parse(dataJson) as Record<string, unknown>;
    // A caller's `hash` is never stored or hashed: the store's own takes its place.
    const { hash: _callerHash, ...callerMetadata } = event.metadata;
    const unhashedJson = JSON.stringify(callerMetadata);
    const metadata = JSON.parse(unhashedJson) as Record<string, unknown> & { hash: string };
    const hash = chainHash(prevHash, { streamName, revision, id: event.id, type: event.type, data, metadata });
    // The parsed copy is ours to extend; the caller's metadata object is left untouched. The
    // stored JSON is the same text JSON.stringify gives for it, `hash` last, without a second pass.
    metadata.hash = hash;
    const metadataJson = `${unhashedJson.slice(0, -1)}${unhashedJson.length > 2 ? ',' : ''}"hash":${JSON.stringify(hash)}}`;
    sealed.push({ id: event.id, type: event.type, revision, data, metadata, dataJson, metadataJson });
    prevHash = hash;
  }
  return { sealed, lastHash: prevHash };
}
