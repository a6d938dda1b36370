import { collections, readModelProjections, type AuditEntryDocument } from '@otp/contracts';
import type { WriteOp } from '@otp/platform/document-store';
import type { ProjectedEvent } from '../projected-event';
import { assertNever, type Projector } from './projector';

function outcomeOf(event: ProjectedEvent): AuditEntryDocument['outcome'] {
  switch (event.type) {
    // A code request refused for the per-email limit is a failure too.
    case 'OtpVerificationFailed':
    case 'OtpChallengeLocked':
    case 'OtpRateLimitExceeded':
    case 'EmailFailed':
    case 'RateLimitExceeded':
    case 'QuotaExceeded':
      return 'failure';
    case 'CustomerRegistered':
    case 'ApiKeyIssued':
    case 'OtpRequested':
    case 'OtpVerified':
    case 'UserCreated':
    case 'UserLoggedIn':
    case 'SessionStarted':
    case 'ApiKeyRotated':
    case 'ApiKeyRevoked':
    case 'CustomerSuspended':
    case 'CustomerActivated':
    case 'CustomerCancelled':
    case 'CustomerPlanChanged':
    case 'CustomerQuotasChanged':
    case 'ApiKeyUsed':
    case 'SigningKeyAdded':
    case 'SigningKeyActivated':
    case 'SigningKeyRetired':
    case 'TenantConfigChanged':
    case 'EmailSent':
      return 'success';
    case 'SessionRefreshed':
    case 'UserProfileUpdated':
      return 'success';
    // A logout is the user's wish; a reused refresh token is a stolen or replayed one.
    case 'SessionRevoked':
      return event.data.reason === 'logout' ? 'success' : 'failure';
    default:
      return assertNever(event);
  }
}

/**
 * Who did what to which stream, from metadata only: event data (emails, code
 * and key hashes) never reaches the audit trail; the chain hash does, so an
 * auditor can match an entry to the raw event.
 */
export function projectAudit(event: ProjectedEvent): WriteOp[] {
  const { tenantId, occurredAt, actor, requestId, hash, clientIp, userAgent } = event.metadata;
  if (event.position > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`position ${event.position} does not fit the audit cursor`);
  const doc: AuditEntryDocument = {
    _id: event.eventId,
    eventId: event.eventId,
    tenantId,
    position: Number(event.position),
    occurredAt,
    type: event.type,
    actor,
    target: event.streamName,
    outcome: outcomeOf(event),
    requestId,
    hash,
    // Absent rather than undefined, so both adapters store the same document.
    ...(clientIp !== undefined ? { clientIp } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
  };
  return [{ kind: 'put', collection: collections.audit, doc }];
}

export const auditProjector: Projector = {
  name: readModelProjections.audit,
  version: 1,
  collections: [collections.audit],
  indexes: [{ collection: collections.audit, fields: ['tenantId', 'position'] }],
  project: projectAudit,
};
