import { z } from 'zod';
import {
  ApiKeyIssued,
  ApiKeyRevoked,
  ApiKeyRotated,
  ApiKeyUsed,
  CustomerActivated,
  CustomerCancelled,
  CustomerPlanChanged,
  CustomerProfileChanged,
  CustomerQuotasChanged,
  CustomerRegistered,
  CustomerSuspended,
} from './customer-events';
import { OtpChallengeLocked, OtpRateLimitExceeded, OtpRequested, OtpVerificationFailed, OtpVerified } from './otp-events';
import { SessionStarted, UserCreated, UserLoggedIn } from './user-events';
import { SessionRefreshed, SessionRevoked } from './session-events';
import { UserProfileUpdated } from './user-events';
import { SigningKeyActivated, SigningKeyAdded, SigningKeyRetired } from './signing-key-events';
import { TenantConfigChanged } from '../config/config-events';
import { EmailFailed, EmailSent } from './delivery-events';
import { QuotaExceeded, RateLimitExceeded } from './limit-events';
import { SignupRequested } from './signup-events';
import { DomainAdded, DomainVerified } from './domain-events';

/**
 * Every event type the system writes, with the schema version it writes now.
 * Reading validates against these; an older version goes through `upcasters`
 * first, so the rest of the code only ever sees the current shape.
 */
export const eventSchemas = {
  CustomerRegistered,
  ApiKeyIssued,
  OtpRequested,
  OtpVerificationFailed,
  OtpChallengeLocked,
  OtpVerified,
  OtpRateLimitExceeded,
  UserCreated,
  UserLoggedIn,
  SessionStarted,
  SessionRefreshed,
  SessionRevoked,
  UserProfileUpdated,
  ApiKeyRotated,
  ApiKeyRevoked,
  CustomerSuspended,
  CustomerActivated,
  CustomerCancelled,
  CustomerPlanChanged,
  ApiKeyUsed,
  SigningKeyAdded,
  SigningKeyActivated,
  SigningKeyRetired,
  TenantConfigChanged,
  EmailSent,
  EmailFailed,
  RateLimitExceeded,
  QuotaExceeded,
  SignupRequested,
  CustomerProfileChanged,
  DomainAdded,
  DomainVerified,
  CustomerQuotasChanged,
} as const;

export type EventType = keyof typeof eventSchemas;
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];

export const currentSchemaVersion: Record<EventType, number> = {
  CustomerRegistered: 1,
  ApiKeyIssued: 2,
  OtpRequested: 1,
  OtpVerificationFailed: 1,
  OtpChallengeLocked: 1,
  OtpVerified: 1,
  OtpRateLimitExceeded: 1,
  UserCreated: 1,
  UserLoggedIn: 1,
  SessionStarted: 1,
  SessionRefreshed: 1,
  SessionRevoked: 1,
  UserProfileUpdated: 1,
  ApiKeyRotated: 1,
  ApiKeyRevoked: 1,
  CustomerSuspended: 1,
  CustomerActivated: 1,
  CustomerCancelled: 1,
  CustomerPlanChanged: 1,
  ApiKeyUsed: 1,
  SigningKeyAdded: 1,
  SigningKeyActivated: 1,
  SigningKeyRetired: 1,
  TenantConfigChanged: 1,
  EmailSent: 1,
  EmailFailed: 1,
  RateLimitExceeded: 1,
  QuotaExceeded: 1,
  SignupRequested: 1,
  CustomerProfileChanged: 1,
  DomainAdded: 1,
  DomainVerified: 1,
  CustomerQuotasChanged: 1,
};

type Upcaster = (data: unknown) => unknown;
/** upcasters[type][fromVersion] turns version N data into version N+1. */
export const upcasters: Partial<Record<EventType, Record<number, Upcaster>>> = {
  // v1 keys were all secret until publishable keys came, and then said so only when they were not.
  ApiKeyIssued: {
    1: (data) => {
      const v1 = data as Record<string, unknown>;
      return { ...v1, kind: v1['kind'] ?? 'secret' };
    },
  },
};

export type DomainEvent = {
  [K in EventType]: { type: K; data: z.infer<(typeof eventSchemas)[K]> };
}[EventType];
export type EventOf<T extends EventType> = Extract<DomainEvent, { type: T }>;

export class UnknownEventError extends Error {
  constructor(readonly eventType: string) {
    super(`unknown event type ${eventType}`);
  }
}

export const isEventType = (type: string): type is EventType => Object.hasOwn(eventSchemas, type);

/** Validate (and upcast) an event read back from the store. */
export function parseEvent(type: string, data: unknown, schemaVersion = 1): DomainEvent {
  if (!isEventType(type)) throw new UnknownEventError(type);
  let current = data;
  for (let v = schemaVersion; v < currentSchemaVersion[type]; v++) {
    const up = upcasters[type]?.[v];
    if (!up) throw new Error(`no upcaster for ${type} v${v}`);
    current = up(current);
  }
  return { type, data: eventSchemas[type].parse(current) } as DomainEvent;
}
