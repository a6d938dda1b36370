import { streams, type UpdateProfileBody, type UserProfile } from '@otp/contracts';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';
import { Refusal } from '../handling/refusal';
import { liveAccessToken } from '../sessions/session-of-token';
import type { AccessTokenVerifier } from '../tokens/access-token-verifier';
import { userDecider, type UserState } from './user-decider';

export interface EndUser {
  userId: string;
  customerId: string;
  sessionId: string;
}

/**
 * The end user behind an access token: verified with the service's own keys,
 * and only while its session holds, so a logout or a detected reuse ends
 * `/v1/users/me` at once, not when the token expires.
 */
export async function authenticateEndUser(deps: CommandDeps, verify: AccessTokenVerifier, token: string, now: Date): Promise<EndUser> {
  const live = await liveAccessToken(deps, verify, token, now);
  if (!live) throw new Refusal('access_token_invalid', 'the access token is not valid');
  return { userId: live.claims.sub, customerId: live.claims.aud, sessionId: live.claims.sid };
}

function profileOf(userId: string, state: UserState): UserProfile {
  if (!state.created) throw new Refusal('user_not_found', 'no such user', { userId });
  return {
    id: userId,
    email: state.email!,
    createdAt: state.createdAt!,
    lastLoginAt: state.lastLoginAt,
    name: state.name,
    metadata: state.metadata,
  };
}

export async function readProfile(deps: CommandDeps, user: EndUser): Promise<UserProfile> {
  return profileOf(user.userId, await deps.commands.read(streams.user(user.customerId, user.userId), userDecider));
}

export async function updateProfile(
  deps: CommandDeps,
  user: EndUser,
  change: UpdateProfileBody,
  ctx: CommandContext,
): Promise<UserProfile & { position: bigint | undefined }> {
  const handled = await deps.commands.handle(
    streams.user(user.customerId, user.userId),
    userDecider,
    { type: 'UpdateProfile', userId: user.userId, ...change, now: ctx.now },
    ctx,
  );
  return { ...profileOf(user.userId, handled.state), position: handled.position };
}
