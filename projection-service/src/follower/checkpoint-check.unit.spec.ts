import type { RecordedEvent } from '@otp/platform/event-store';
import { describe, expect, it } from 'vitest';
import { ids, metadata } from '../testing/events';
import { checkCheckpoint } from './checkpoint-check';

const projectedHash = 'a1b2c3d4e5f6'.repeat(5) + 'abcd';
const otherHash = 'f6e5d4c3b2a1'.repeat(5) + 'dcba';

const eventAt = (position: bigint, hash: unknown = projectedHash): RecordedEvent => ({
  id: 'evt-1',
  type: 'OtpChallengeLocked',
  streamName: `otp-${ids.tenantA}.ek`,
  revision: 3n,
  position,
  data: { challengeId: ids.challengeA1 },
  metadata: { ...metadata(), hash } as RecordedEvent['metadata'],
});

describe('checkCheckpoint', () => {
  it('resumes when the log holds the checkpointed event at its position', () => {
    expect(checkCheckpoint({ position: 17n, hash: projectedHash }, eventAt(17n))).toEqual({ action: 'resume', verified: true });
  });

  it('rebuilds when the log holds another event at the position, showing short prefixes of both hashes', () => {
    expect(checkCheckpoint({ position: 17n, hash: projectedHash }, eventAt(17n, otherHash))).toEqual({
      action: 'rebuild',
      reason: 'another event at the checkpoint position',
      checkpointHash: 'a1b2c3d4e5f6',
      foundHash: 'f6e5d4c3b2a1',
    });
  });

  it('rebuilds when the log holds no event at the position: a shorter log, or one from another store', () => {
    expect(checkCheckpoint({ position: 17n, hash: projectedHash }, undefined)).toEqual({
      action: 'rebuild',
      reason: 'no event at the checkpoint position',
      checkpointHash: 'a1b2c3d4e5f6',
      foundHash: undefined,
    });
  });

  it('does not take the nearest event for the one at the position', () => {
    // Even with the same hash: an event that moved is not where the read models left the log.
    expect(checkCheckpoint({ position: 17n, hash: projectedHash }, eventAt(18n))).toMatchObject({
      action: 'rebuild',
      reason: 'no event at the checkpoint position',
    });
  });

  it('rebuilds when the hash read back is not a string', () => {
    expect(checkCheckpoint({ position: 17n, hash: projectedHash }, eventAt(17n, 42))).toEqual({
      action: 'rebuild',
      reason: 'another event at the checkpoint position',
      checkpointHash: 'a1b2c3d4e5f6',
      foundHash: undefined,
    });
  });

  describe('a checkpoint written before hashes were recorded', () => {
    it('resumes, unverified, when an event is at its position', () => {
      expect(checkCheckpoint({ position: 17n }, eventAt(17n, otherHash))).toEqual({ action: 'resume', verified: false });
    });

    it('rebuilds when no event is at its position', () => {
      expect(checkCheckpoint({ position: 17n }, undefined)).toEqual({
        action: 'rebuild',
        reason: 'no event at the checkpoint position',
        checkpointHash: undefined,
        foundHash: undefined,
      });
    });
  });
});
