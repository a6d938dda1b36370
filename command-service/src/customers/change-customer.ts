import { PLAN_LIMITS, streams, type CustomerQuotasResponse, type CustomerStatusResponse, type OtpQuotas, type Plan } from '@otp/contracts';
import { customerDecider, type ChangeCustomerStatus } from './customer-decider';
import type { CommandContext } from '../handling/command-context';
import type { CommandDeps } from '../handling/command-deps';

export type StatusChange = ChangeCustomerStatus['type'];
type Change = { type: StatusChange; reason: string } | { type: 'ChangePlan'; plan: Plan };

/**
 * The operator suspends, activates or cancels a customer, or changes its plan.
 * A suspension holds from the next request on: every key check reads the
 * customer stream. The answer is the state right after, whether or not
 * anything changed (asking twice is not an error).
 */
export async function changeCustomer(
  deps: CommandDeps,
  customerId: string,
  change: Change,
  ctx: CommandContext,
): Promise<CustomerStatusResponse & { position: bigint | undefined }> {
  const now = ctx.now;
  const command =
    change.type === 'ChangePlan'
      ? { type: change.type, customerId, plan: change.plan, now }
      : { type: change.type, customerId, reason: change.reason, now };
  const { state, position } = await deps.commands.handle(streams.customer(customerId), customerDecider, command, ctx);
  if (state.status === 'unregistered' || state.plan === null) throw new Error('a change was decided for an unregistered customer');
  return { id: customerId, status: state.status, plan: state.plan, position };
}

/**
 * The operator sets a customer's OTP quotas (raising them above the plan's, or
 * back to the plan's with nulls). They hold from the next OTP request on: the
 * quota check folds the customer stream.
 */
export async function changeQuotas(
  deps: CommandDeps,
  customerId: string,
  quotas: OtpQuotas,
  ctx: CommandContext,
): Promise<CustomerQuotasResponse & { position: bigint | undefined }> {
  const command = { type: 'ChangeQuotas' as const, customerId, ...quotas, now: ctx.now };
  const { state, position } = await deps.commands.handle(streams.customer(customerId), customerDecider, command, ctx);
  if (state.plan === null) throw new Error('quotas were decided for an unregistered customer');
  return { id: customerId, plan: state.plan, override: state.quotaOverride, planQuotas: PLAN_LIMITS[state.plan].quotas, position };
}
