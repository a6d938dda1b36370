/** A sending domain as the customer stream folds it. */
export interface DomainState {
  domain: string;
  recordName: string;
  recordValue: string;
  status: 'pending' | 'verified';
  addedAt: string;
  verifiedAt: string | null;
}

/** The domain of `local@domain` or `Name <local@domain>`, lower case; undefined when there is no address. */
export function fromAddressDomain(from: string): string | undefined {
  const address = /<([^<>]*)>\s*$/.exec(from)?.[1] ?? from;
  const at = address.lastIndexOf('@');
  if (at < 1) return undefined;
  const domain = address
    .slice(at + 1)
    .trim()
    .toLowerCase();
  return domain.length > 0 ? domain : undefined;
}

/**
 * Whether a tenant may put `from` in its `email.from`: its domain must be one
 * the tenant verified through DNS, exactly (a verified `example.com` does not
 * cover `mail.example.com`: each name that appears in a From is proved on its
 * own, as the providers that send for it ask). The config commands apply it
 * with the customer stream's folded domains (`customerFold`, `state.domains`).
 */
export function fromAddressUsesVerifiedDomain(from: string, domains: Iterable<DomainState>): boolean {
  const domain = fromAddressDomain(from);
  if (domain === undefined) return false;
  for (const known of domains) if (known.domain === domain && known.status === 'verified') return true;
  return false;
}
