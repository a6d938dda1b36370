import { randomUUID } from 'node:crypto';
import { streams } from '@otp/contracts';
import type { CommandHandler } from '../handling/command-handler';
import { publishedKeys } from '../signing-keys/published-keys';
import { signingKeyDecider, type NewSigningKey, type SigningKeysState } from '../signing-keys/signing-key-decider';
import { openPrivateKey, sealPrivateKey } from './private-key-sealing';
import {
  generateSigningKey,
  importSigningKey,
  PrivateJwk,
  publicHalf,
  servedJwk,
  type PrivateSigningKey,
  type SigningKey,
  type SigningKeySource,
} from './signing-keys';

export interface SigningKeyringOptions {
  commands: CommandHandler;
  /** 32 bytes: seals and opens the private halves kept in the stream. */
  encryptionKey: Buffer;
  /** Names the stream (`signingkeys-<deployment>`) every instance of one deployment shares. */
  deployment: string;
  accessTokenTtlSeconds: number;
  /** The key from before the stream (the key file), added as the first key when the stream is empty. */
  firstKey: () => Promise<PrivateSigningKey>;
}

/**
 * The deployment's signing keys, read from their stream through the process's
 * state cache on every use: each call reads only the events newer than the
 * cached state, so a rotation made on any instance signs from the next request
 * on, with no restart and no timer. Private halves are opened and imported
 * once per kid and kept only in this object.
 */
export function createSigningKeyring(options: SigningKeyringOptions) {
  const { commands, encryptionKey, deployment, accessTokenTtlSeconds } = options;
  const streamName = streams.signingKeys(deployment);
  const imported = new Map<string, Promise<SigningKey>>();
  let adding: Promise<unknown> | undefined;

  const seal = (key: PrivateSigningKey): NewSigningKey => ({
    kid: key.kid,
    alg: 'EdDSA',
    publicJwk: publicHalf(key.privateJwk),
    encryptedPrivateKey: sealPrivateKey(encryptionKey, key.kid, key.privateJwk),
  });

  const addFirstKey = async (now: Date) => {
    const id = randomUUID();
    const ctx = { commandId: id, requestId: id, correlationId: id, causationId: id, tenantId: 'system', actor: 'system' as const, now };
    // Idempotent in the decider: of several instances starting on an empty stream, one adds the keys.
    const [current, next] = await Promise.all([options.firstKey(), generateSigningKey()]);
    await commands.handle(
      streamName,
      signingKeyDecider,
      { type: 'AddFirstSigningKeys', current: seal(current), next: seal(next), now },
      ctx,
    );
  };

  async function state(now: Date): Promise<SigningKeysState> {
    const known = await commands.read(streamName, signingKeyDecider);
    if (known.currentKid) return known;
    adding ??= addFirstKey(now).finally(() => (adding = undefined));
    await adding;
    return commands.read(streamName, signingKeyDecider);
  }

  const signingKey = (stored: SigningKeysState['keys'][number]) => {
    let key = imported.get(stored.kid);
    if (!key) {
      const privateJwk = PrivateJwk.parse(openPrivateKey(encryptionKey, stored.kid, stored.encryptedPrivateKey));
      key = importSigningKey({ kid: stored.kid, privateJwk });
      imported.set(stored.kid, key);
    }
    return key;
  };

  const keys: SigningKeySource = {
    async current(now) {
      const known = await state(now);
      return signingKey(known.keys.find((key) => key.kid === known.currentKid)!);
    },
    async published(now) {
      return publishedKeys(await state(now), now, accessTokenTtlSeconds).map((key) => servedJwk(key.kid, key.publicJwk));
    },
  };
  return {
    ...keys,
    streamName,
    /** The stream's state, its first keys added when it has none: what a rotation decides on. */
    state,
    /** A fresh key, sealed, for a rotation to publish as the next one. */
    async newKey(): Promise<NewSigningKey> {
      return seal(await generateSigningKey());
    },
  };
}
export type SigningKeyring = ReturnType<typeof createSigningKeyring>;
