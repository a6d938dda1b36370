import type { EventOf } from '@otp/contracts';
import { DomainError, type Decider } from '../handling/decider';

type SigningKeyEvent = EventOf<'SigningKeyAdded'> | EventOf<'SigningKeyActivated'> | EventOf<'SigningKeyRetired'>;

/** A key made outside the decider (generation is random), its private half already sealed. */
export type NewSigningKey = Omit<EventOf<'SigningKeyAdded'>['data'], 'addedAt'>;

export type SigningKeyCommand =
  /**
   * The stream's first keys: the one that signs (the key file the service signed with before keys had a
   * stream, so its tokens keep verifying) and the next one. Added once, by whichever instance gets there first.
   */
  | { type: 'AddFirstSigningKeys'; current: NewSigningKey; next: NewSigningKey; now: Date }
  /** The next key signs from now on, the current one retires, and `next` is published to sign after the following rotation. */
  | { type: 'RotateSigningKey'; next: NewSigningKey; now: Date };

export interface StoredSigningKey {
  kid: string;
  alg: 'EdDSA';
  publicJwk: EventOf<'SigningKeyAdded'>['data']['publicJwk'];
  encryptedPrivateKey: string;
  addedAt: string;
  retiredAt?: string;
}

export interface SigningKeysState {
  /** In the order they were added. */
  keys: StoredSigningKey[];
  /** The one key that signs; absent only before the first keys. */
  currentKid?: string;
  /** Published, not signing yet: the next rotation's key. */
  nextKid?: string;
}

const added = (key: NewSigningKey, now: Date): EventOf<'SigningKeyAdded'> => ({
  type: 'SigningKeyAdded',
  data: { ...key, addedAt: now.toISOString() },
});
const activated = (kid: string, now: Date): EventOf<'SigningKeyActivated'> => ({
  type: 'SigningKeyActivated',
  data: { kid, activatedAt: now.toISOString() },
});

const retired = (kid: string, successorKid: string, now: Date): EventOf<'SigningKeyRetired'> => ({
  type: 'SigningKeyRetired',
  data: { kid, successorKid, retiredAt: now.toISOString() },
});

function refuseKnown(state: SigningKeysState, { kid }: NewSigningKey): void {
  if (state.keys.some((key) => key.kid === kid)) throw new DomainError('signing_key_exists', 'signing key id already used', { kid });
}

/**
 * The deployment's signing keys: which one signs, which one is published to
 * sign next, and since when the others stopped. A rotation is one append
 * (retire, activate, add), so no instance ever sees two keys signing or none.
 */
export const signingKeyDecider: Decider<SigningKeyCommand, SigningKeysState, SigningKeyEvent> = {
  initialState: () => ({ keys: [] }),
  evolve(state, event) {
    switch (event.type) {
      case 'SigningKeyAdded':
        return { ...state, keys: [...state.keys, { ...event.data }], nextKid: event.data.kid };
      case 'SigningKeyActivated': {
        const { nextKid: _promoted, ...rest } = state;
        return { ...rest, currentKid: event.data.kid };
      }
      case 'SigningKeyRetired':
        return {
          ...state,
          keys: state.keys.map((key) => (key.kid === event.data.kid ? { ...key, retiredAt: event.data.retiredAt } : key)),
        };
    }
  },
  decide(command, state) {
    if (command.type === 'AddFirstSigningKeys') {
      if (state.keys.length > 0) return [];
      if (command.next.kid === command.current.kid)
        throw new DomainError('signing_key_exists', 'signing key id already used', { kid: command.next.kid });
      return [added(command.current, command.now), activated(command.current.kid, command.now), added(command.next, command.now)];
    }
    refuseKnown(state, command.next);
    const { currentKid, nextKid } = state;
    // Without a published next key (a stream begun by a rotation), the new key signs at once.
    if (!nextKid)
      return [
        ...(currentKid ? [retired(currentKid, command.next.kid, command.now)] : []),
        added(command.next, command.now),
        activated(command.next.kid, command.now),
      ];
    return [
      ...(currentKid ? [retired(currentKid, nextKid, command.now)] : []),
      activated(nextKid, command.now),
      added(command.next, command.now),
    ];
  },
};
