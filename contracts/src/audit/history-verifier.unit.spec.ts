import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, chainHash } from './hash-chain';
import { HistoryVerifier, type HistoryEvent } from './history-verifier';
import { RUNNING_HASH_GENESIS, runningHash } from './running-hash';

/** A chained history of two streams, interleaved, as the store would seal it. */
function chained(): HistoryEvent[] {
  const heads = new Map<string, { revision: bigint; hash: string }>();
  return ['a', 'b', 'a', 'a', 'b'].map((stream, i) => {
    const last = heads.get(stream);
    const revision = last ? last.revision + 1n : 0n;
    const event = { sequence: i + 1, streamName: stream, revision, id: `id-${i}`, type: 'T', data: { i }, metadata: { tenantId: 'cus_1' } };
    const hash = chainHash(last?.hash ?? GENESIS_HASH, event);
    heads.set(stream, { revision, hash });
    return { ...event, metadata: { ...event.metadata, hash } };
  });
}
const verify = (events: HistoryEvent[], mark?: { sequence: number; head: string }) => {
  const verifier = new HistoryVerifier(mark);
  for (const event of events) verifier.add(event);
  return verifier.verdict();
};

describe('runningHash', () => {
  // Pinned: auditors' own verifiers recompute heads from this exact definition.
  it('is SHA-256 over the previous head and the event hash as hex text', () => {
    expect(runningHash(RUNNING_HASH_GENESIS, 'ab'.repeat(32))).toBe('ddf930076f1034e5fc5bbfc8da524477f9e196f4c834ee447d58231a97296194');
  });
});

describe('HistoryVerifier', () => {
  it('finds an untouched history valid and gives the running head of its stored hashes', () => {
    const events = chained();
    const head = events.reduce((h, e) => runningHash(h, e.metadata['hash'] as string), RUNNING_HASH_GENESIS);
    expect(verify(events)).toEqual({ valid: true, eventsChecked: 5, head });
  });

  it('names the first event whose content no longer gives its hash, and judges the rest on their own', () => {
    const events = chained();
    events[2] = { ...events[2]!, data: { i: 99 } };
    expect(verify(events)).toMatchObject({ valid: false, firstBadSequence: 3 });
  });

  it('names an event out of place: a revision skipped, a sequence missing', () => {
    const skipped = chained().filter((e) => e.sequence !== 3);
    expect(verify(skipped)).toMatchObject({ valid: false, firstBadSequence: 4 });
  });

  it('says whether the history extends a checkpoint: grown after it, or contradicting it', () => {
    const events = chained();
    const atThree = verify(events.slice(0, 3));
    expect(verify(events, { sequence: 3, head: atThree.head })).toMatchObject({ valid: true, extendsCheckpoint: true });
    expect(verify(events, { sequence: 0, head: RUNNING_HASH_GENESIS })).toMatchObject({ valid: true, extendsCheckpoint: true });
    expect(verify(events, { sequence: 3, head: 'f'.repeat(64) })).toMatchObject({ valid: false, extendsCheckpoint: false });
    // Shorter than the checkpoint: events it attested are gone.
    expect(verify(events.slice(0, 2), { sequence: 3, head: atThree.head })).toMatchObject({ valid: false, extendsCheckpoint: false });
  });
});
