import { streams, type CustomerView, type RegisterCustomerBody, type CustomerRegisteredResponse } from '@otp/contracts';
import { apiKeyHash, randomHex } from '@otp/platform/crypto';
import { customerDecider, type CustomerEvent } from './customer-decider';
import { DEFAULT_SCOPES, newApiKey } from './new-api-key';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';

/**
 * The operator registers a customer and its first API key in one append, so
 * there is never a customer without a way in. The key is returned here once.
 */
export async function registerCustomer(
  deps: CommandDeps,
  body: RegisterCustomerBody,
  ctx: Omit<CommandContext, 'tenantId'>,
): Promise<CustomerRegisteredResponse & { position: bigint | undefined }> {
  const customerId = `cus_${randomHex(8)}`;
  const { keyId, prefix, key } = newApiKey(customerId);
  const keyHash = apiKeyHash(deps.hashKey, key);
  const now = ctx.now;
  const handled = await deps.commands.handle(
    streams.customer(customerId),
    customerDecider,
    [
      { type: 'RegisterCustomer', customerId, name: body.name, email: body.email, plan: body.plan ?? 'free', now },
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
      const { customerId, name, email, plan, registeredAt } = event.data;
      view = { id: customerId, name, email, plan, status: 'active', registeredAt, apiKeys: [], domains: [] };
    } else if (event.type === 'ApiKeyIssued' && view) {
      const { keyId, prefix, scopes, issuedAt, kind } = event.data;
      view.apiKeys.push({ id: keyId, prefix, scopes, status: 'active', issuedAt, kind: kind ?? 'secret' });
    }
  }
  if (!view) throw new Error('registration decided no CustomerRegistered event');
  return view;
}
