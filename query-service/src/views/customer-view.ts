import type { ApiKeySummary, CustomerDocument, CustomerView, DomainSummary } from '@otp/contracts';

/** A rotated key past its grace end reads 'expired': the end is in the document, and `now` is the request's. */
function keyView(key: ApiKeySummary, now: Date): ApiKeySummary {
  const expired = key.status === 'rotated' && key.graceEndsAt !== undefined && Date.parse(key.graceEndsAt) <= now.getTime();
  // Keys projected before publishable keys existed carry no kind: they are all secret.
  const shown: ApiKeySummary = { ...key, kind: key.kind ?? 'secret' };
  return expired ? { ...shown, status: 'expired' } : shown;
}

/** The customer's keys as a list, ordered by issue time; never a secret or a key hash (the document has neither). */
export function apiKeysView(doc: CustomerDocument, now: Date): ApiKeySummary[] {
  return Object.values(doc.apiKeys)
    .sort((a, b) => a.issuedAt.localeCompare(b.issuedAt))
    .map((key) => keyView(key, now));
}

/** The customer's sending domains in the order they were added (documents projected before domains have none). */
export function domainsView(doc: CustomerDocument): DomainSummary[] {
  return Object.values(doc.domains ?? {}).sort((a, b) => a.addedAt.localeCompare(b.addedAt) || a.domain.localeCompare(b.domain));
}

/** The API shape of a customer; `companyName` and `contactEmail` only once the tenant set them (PATCH /v1/customer). */
export function customerView(doc: CustomerDocument, now = new Date()): CustomerView {
  const { id, name, email, companyName, contactEmail, plan, status, registeredAt, statusReason } = doc;
  return {
    id,
    name,
    email,
    ...(companyName !== undefined ? { companyName } : {}),
    ...(contactEmail !== undefined ? { contactEmail } : {}),
    plan,
    status,
    ...(statusReason !== undefined ? { statusReason } : {}),
    registeredAt,
    apiKeys: apiKeysView(doc, now),
    domains: domainsView(doc),
  };
}
