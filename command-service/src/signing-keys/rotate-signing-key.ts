import type { CommandContext } from '../handling/command-context';
import type { CommandHandler } from '../handling/command-handler';
import type { SigningKeyring } from '../tokens/signing-keyring';
import { signingKeyDecider } from './signing-key-decider';

/**
 * The operator's rotation: the published next key signs from the next token
 * on, the current one retires (listed until its last token expires) and a
 * fresh key is published to sign after the following rotation.
 */
export async function rotateSigningKey(deps: { commands: CommandHandler; signingKeys: SigningKeyring }, ctx: CommandContext) {
  // A rotation on a stream still empty rotates away from the key file, not around it.
  await deps.signingKeys.state(ctx.now);
  const next = await deps.signingKeys.newKey();
  const { state, position } = await deps.commands.handle(
    deps.signingKeys.streamName,
    signingKeyDecider,
    { type: 'RotateSigningKey', next, now: ctx.now },
    ctx,
  );
  return { position, currentKid: state.currentKid!, nextKid: state.nextKid! };
}
