/** Where an event id is already stored, as far as an adapter can tell. */
export interface StoredLocation {
  streamName: string;
  revision: bigint;
  position: bigint;
}

export type StoredMatch =
  | { kind: 'none' }
  /** The ids are stored in this stream as one consecutive run, in order: the append already happened. */
  | { kind: 'repeat'; lastRevision: bigint; lastPosition: bigint }
  /** Some id is stored, but not as that run: reusing it would corrupt history. */
  | { kind: 'duplicate'; eventId: string };

/** Decides whether an append whose ids may be stored is an idempotent repeat, a duplicate, or new. */
export function matchStoredRun(
  streamName: string,
  ids: readonly string[],
  lookup: (id: string) => StoredLocation | undefined,
): StoredMatch {
  const locations = ids.map(lookup);
  const firstStored = locations.findIndex((l) => l !== undefined);
  if (firstStored === -1) return { kind: 'none' };
  const first = locations[0];
  const isRun =
    first !== undefined &&
    locations.every((l, i) => l !== undefined && l.streamName === streamName && l.revision === first.revision + BigInt(i));
  const last = locations[locations.length - 1];
  if (isRun && last !== undefined) {
    return { kind: 'repeat', lastRevision: last.revision, lastPosition: last.position };
  }
  return { kind: 'duplicate', eventId: ids[firstStored] as string };
}
