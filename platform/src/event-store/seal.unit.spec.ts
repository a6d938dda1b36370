import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, chainHash } from '@otp/contracts/audit';
import { sealEvents } from './seal';

describe('sealEvents', () => {
  const at = new Date('2026-11-23T09:00:00.000Z');

  it('stores the JSON of what it hashed, with the hash last, for empty and full metadata', () => {
    const { sealed, lastHash } = sealEvents('s-1', -1n, GENESIS_HASH, [
      { id: 'e1', type: 'A', data: { at, skip: undefined, n: 1 }, metadata: {} },
      { id: 'e2', type: 'B', data: {}, metadata: { tenantId: 't', hash: 'caller-supplied', requestId: 'r' } },
    ]);
    const [first, second] = sealed;
    expect(first!.dataJson).toBe('{"at":"2026-11-23T09:00:00.000Z","n":1}');
    expect(first!.metadataJson).toBe(JSON.stringify({ hash: first!.metadata.hash }));
    expect(second!.metadataJson).toBe(JSON.stringify({ tenantId: 't', requestId: 'r', hash: second!.metadata.hash }));
    expect(JSON.parse(second!.metadataJson)).toEqual(second!.metadata);

    // Re-verifiable from the stored text alone, the caller's hash ignored.
    let prev = GENESIS_HASH;
    for (const e of sealed) {
      const stored = {
        data: JSON.parse(e.dataJson) as Record<string, unknown>,
        metadata: JSON.parse(e.metadataJson) as Record<string, unknown>,
      };
      const hash = chainHash(prev, { streamName: 's-1', revision: e.revision, id: e.id, type: e.type, ...stored });
      expect(stored.metadata.hash).toBe(hash);
      prev = hash;
    }
    expect(lastHash).toBe(prev);
  });
});
