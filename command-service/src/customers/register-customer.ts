import { streams, type CustomerView, type RegisterCustomerBody, type CustomerRegisteredResponse, type Plan } from '@otp/contracts';
import { apiKeyHash, randomHex } from '@otp/platform/crypto';
import { customerDecider, type CustomerEvent } from './customer-decider';
import { DEFAULT_SCOPES, newApiKey } from './new-api-key';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';

export type NewCustomer = { customerId: string; name: string; email: string; plan: Plan; companyName?: string };

/**
 * The operator registers a customer under a random id. Several customers may share a
 * contact email this way (an agency running tenants for others); a self-service
 * signup derives its id from the email instead (signup/verify-signup.ts).
 */
export async function registerCustomer(
  deps: CommandDeps,
  body: RegisterCustomerBody,
  ctx: Omit<CommandContext, 'tenantId'>,
): Promise<CustomerRegisteredResponse & { position: bigint | undefined }> {
  const customer = { customerId: `cus_${randomHex(8)}`, name: body.name, email: body.email, plan: body.plan ?? 'free' };
  return registerWithFirstKey(deps, customer, ctx);
}

/**
 * Registers a customer and its first API key in one append, so there is never a
 * customer without a way in, nor a key (whose prefix names the customer) without
 * its customer. The append expects no stream: a customer id already taken is refused
 * by the decider, or by the store when another process took it meanwhile. The key
 * is returned here once.
 */
export async function registerWithFirstKey(
  deps: CommandDeps,
  customer: NewCustomer,
  ctx: Omit<CommandContext, 'tenantId'>,
): Promise<CustomerRegisteredResponse & { position: bigint | undefined }> {
  const { customerId } = customer;
  const { keyId, prefix, key } = newApiKey(customerId);
  const keyHash = apiKeyHash(deps.hashKey, key);
  const now = ctx.now;
  const handled = await deps.commands.handle(
    streams.customer(customerId),
    customerDecider,
    [
      { type: 'RegisterCustomer', ...customer, now },
      { type: 'IssueApiKey', customerId, keyId, prefix, keyHash, scopes: DEFAULT_SCOPES, now },
    ],
    { ...ctx, tenantId: customerId },
  );
  return {
    customer: customerViewFromEvents(handled.events),
    apiKey: { id: keyId, key, prefix, scopes: [...DEFAULT_SCOPES], kind: 'secret' },
    position: handled.position,
  };
}

function customerViewFromEvents(events: CustomerEvent[]): CustomerView {
  let view: CustomerView | undefined;
  for (const event of events) {
    if (event.type === 'CustomerRegistered') {
      const { customerId, name, email, plan, registeredAt, companyName } = event.data;
      const company = companyName !== undefined ? { companyName } : {};
      view = { id: customerId, name, email, ...company, plan, status: 'active', registeredAt, apiKeys: [], domains: [] };
    } else if (event.type === 'ApiKeyIssued' && view) {
      const { keyId, prefix, scopes, issuedAt, kind } = event.data;
      view.apiKeys.push({ id: keyId, prefix, scopes, status: 'active', issuedAt, kind });
    }
  }
  if (!view) throw new Error('registration decided no CustomerRegistered event');
  return view;
}
