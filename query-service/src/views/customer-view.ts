import type { CustomerDocument, CustomerView } from '@otp/contracts';

/** The API shape of a customer: keys as a list, ordered by issue time; never a key hash (the document has none). */
export function customerView(doc: CustomerDocument): CustomerView {
  const { id, name, email, plan, status, registeredAt } = doc;
  const apiKeys = Object.values(doc.apiKeys).sort((a, b) => a.issuedAt.localeCompare(b.issuedAt));
  return { id, name, email, plan, status, registeredAt, apiKeys };
}
