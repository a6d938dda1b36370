import type { DomainState, DomainSummary } from '@otp/contracts';

/** The API shape of a domain the customer stream holds: what the read model lists, answered right after a command. */
export function domainSummary(domain: DomainState): DomainSummary {
  const { recordName, recordValue, status, addedAt, verifiedAt } = domain;
  return {
    domain: domain.domain,
    status,
    record: { type: 'TXT', name: recordName, value: recordValue },
    addedAt,
    ...(verifiedAt !== null ? { verifiedAt } : {}),
  };
}
