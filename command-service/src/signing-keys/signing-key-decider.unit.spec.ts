import { describe, expect, it } from 'vitest';
import type { EventOf } from '@otp/contracts';
import { contractCheckedSpecFor } from '../testing/contract-checked-spec';
import { publishedKeys } from './published-keys';
import { signingKeyDecider, type NewSigningKey } from './signing-key-decider';

// Every given and decided event is parsed against its strict schema too: a private `d` in a public JWK would fail here.
const spec = contractCheckedSpecFor(signingKeyDecider);
const key = (kid: string): NewSigningKey => ({
  kid,
  alg: 'EdDSA',
  publicJwk: { kty: 'OKP', crv: 'Ed25519', x: `x-${kid}` },
  encryptedPrivateKey: `v1.sealed-${kid}`,
});
const t0 = new Date('2025-03-01T12:00:00.000Z');
const t1 = new Date('2025-03-02T12:00:00.000Z');
const at = (d: Date) => d.toISOString();

const added = (kid: string, when = t0): EventOf<'SigningKeyAdded'> => ({
  type: 'SigningKeyAdded',
  data: { ...key(kid), addedAt: at(when) },
});
const activated = (kid: string, when = t0): EventOf<'SigningKeyActivated'> => ({
  type: 'SigningKeyActivated',
  data: { kid, activatedAt: at(when) },
});
const retired = (kid: string, successorKid: string, when = t1): EventOf<'SigningKeyRetired'> => ({
  type: 'SigningKeyRetired',
  data: { kid, successorKid, retiredAt: at(when) },
});
const firstKeys = [added('A'), activated('A'), added('B')];

describe('signing keys decider', () => {
  it('starts the stream with the current key (the key file) and a published next one', () =>
    spec([])
      .when({ type: 'AddFirstSigningKeys', current: key('A'), next: key('B'), now: t0 })
      .then(firstKeys));

  it('adds the first keys once: a second instance starting on the same stream adds nothing', () =>
    spec(firstKeys)
      .when({ type: 'AddFirstSigningKeys', current: key('C'), next: key('D'), now: t1 })
      .thenNothing());

  it('refuses first keys that share a kid', () =>
    spec([])
      .when({ type: 'AddFirstSigningKeys', current: key('A'), next: key('A'), now: t0 })
      .thenRefuses('signing_key_exists'));

  it('rotates to the published next key, retires the current one and publishes a new next key, in that order', () =>
    spec(firstKeys)
      .when({ type: 'RotateSigningKey', next: key('C'), now: t1 })
      .then([retired('A', 'B'), activated('B', t1), added('C', t1)]));

  it('refuses a new key whose kid the stream already holds', () =>
    spec(firstKeys)
      .when({ type: 'RotateSigningKey', next: key('A'), now: t1 })
      .thenRefuses('signing_key_exists', { kid: 'A' }));

  it('makes a rotation on an empty stream its first key, signing at once', () =>
    spec([])
      .when({ type: 'RotateSigningKey', next: key('A'), now: t0 })
      .then([added('A'), activated('A')]));

  it('retires the current key even when no next key was published', () =>
    spec([added('A'), activated('A')])
      .when({ type: 'RotateSigningKey', next: key('B'), now: t1 })
      .then([retired('A', 'B'), added('B', t1), activated('B', t1)]));
});

describe('published keys', () => {
  const ttl = 900;
  const rotated = [...firstKeys, retired('A', 'B'), activated('B', t1), added('C', t1)];
  const stateOf = (events: Parameters<typeof signingKeyDecider.evolve>[1][]) =>
    events.reduce(signingKeyDecider.evolve, signingKeyDecider.initialState());
  const kidsAt = (ms: number) => publishedKeys(stateOf(rotated), new Date(t1.getTime() + ms), ttl).map((k) => k.kid);

  it('lists the current and the next key', () => expect(publishedKeys(stateOf(firstKeys), t0, ttl).map((k) => k.kid)).toEqual(['A', 'B']));

  it('keeps a retired key while a token it signed at its last moment could be valid, with a minute of slack', () => {
    expect(kidsAt(0)).toEqual(['A', 'B', 'C']);
    expect(kidsAt((ttl + 59) * 1000)).toEqual(['A', 'B', 'C']);
  });

  it('drops a retired key once its last token has expired', () => expect(kidsAt((ttl + 60) * 1000)).toEqual(['B', 'C']));

  it('knows which key signs and which signs next', () => expect(stateOf(rotated)).toMatchObject({ currentKid: 'B', nextKid: 'C' }));
});
