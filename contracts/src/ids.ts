import { z } from 'zod';

// Entity ids are short random hex with a type prefix: readable in logs and
// URLs, unguessable enough (64 bits) for identifiers that are never secrets.
export const CustomerId = z.string().regex(/^cus_[0-9a-f]{16}$/, 'not a customer id');
export type CustomerId = z.infer<typeof CustomerId>;
export const ApiKeyId = z.string().regex(/^key_[0-9a-f]{12}$/, 'not an api key id');
export const UserId = z.string().regex(/^usr_[0-9a-f]{16}$/, 'not a user id');
export const ChallengeId = z.string().regex(/^chl_[0-9a-f]{16}$/, 'not a challenge id');
export const SessionId = z.string().regex(/^ses_[0-9a-f]{16}$/, 'not a session id');

export const Scope = z.enum(['otp:write', 'customer:admin', 'analytics:read', 'audit:read']);
export type Scope = z.infer<typeof Scope>;
export const ALL_SCOPES: readonly Scope[] = Scope.options;

/** `secret` (`ok_...`, on a tenant's servers) or `publishable` (`pk_...`, in a web page). */
export const ApiKeyKind = z.enum(['secret', 'publishable']);
export type ApiKeyKind = z.infer<typeof ApiKeyKind>;

export const Plan = z.enum(['free', 'pro', 'enterprise']);
export type Plan = z.infer<typeof Plan>;

export const IsoTimestamp = z.iso.datetime({ offset: false });
