import { customerFold, effectiveQuotas, streams, tenantConfigFold, type Actor } from '@otp/contracts';
import type { LimitDecision } from '@otp/platform/limits';
import type { CommandHandler } from '../handling/command-handler';
import { Refusal } from '../handling/refusal';
import type { LimitRecorder } from './limit-recorder';
import type { OtpUsage, OtpUsageCount } from './otp-usage';
import { decideQuota, quotaWindows } from './quota-decision';

/** How long a read of the usage read model is reused: this process's own requests since it are counted on top. */
const USAGE_READ_TTL_MS = 1_000;

interface Reservation {
  /** The OtpRequested's log position once appended; undefined while in flight. */
  position: bigint | undefined;
  day: string;
}

interface TenantLedger {
  month: string;
  day: string;
  read: (OtpUsageCount & { at: number }) | undefined;
  reservations: Set<Reservation>;
}

/** What a request that fits its quota holds until it is settled: the headers to show, and how to count it. */
export interface QuotaHold {
  shown: LimitDecision | undefined;
  /** The OtpRequested was appended at `position`: it counts until the read model has counted it. */
  settle(position: bigint | undefined): void;
  /** Nothing was requested after all: the reservation no longer counts. */
  release(): void;
}

const free: QuotaHold = { shown: undefined, settle: () => undefined, release: () => undefined };

/**
 * A tenant's daily and monthly OTP quotas, checked against the usage read
 * model plus this process's own requests the model has not counted yet (each
 * reserved synchronously after the read, so concurrent requests in one
 * process never pass the quota together). Other instances' requests are seen
 * only once projected: docs/decisions.md says how far that lets a burst go.
 * The quota itself is decided on the write side's own streams (plan and
 * operator override from the customer stream, the tenant's lower setting
 * from its config stream).
 */
export function createOtpQuotaGate({ commands, usage, recorder }: { commands: CommandHandler; usage: OtpUsage; recorder: LimitRecorder }) {
  const ledgers = new Map<string, TenantLedger>();

  async function counted(ledger: TenantLedger, customerId: string, now: number): Promise<OtpUsageCount> {
    if (ledger.read && now - ledger.read.at < USAGE_READ_TTL_MS) return ledger.read;
    const read = await usage.count(customerId, ledger.month, ledger.day);
    // Two refreshes in flight: the one that covers more of the log wins, whichever lands last.
    const current = ledger.read;
    if (!current || current.upTo === undefined || (read.upTo !== undefined && read.upTo >= current.upTo)) {
      ledger.read = { ...read, at: now };
      for (const r of ledger.reservations)
        if (r.position !== undefined && read.upTo !== undefined && r.position <= read.upTo) ledger.reservations.delete(r);
    }
    return ledger.read ?? read;
  }

  function ledgerOf(customerId: string, month: string, day: string): TenantLedger {
    const known = ledgers.get(customerId);
    if (known && known.day === day) return known;
    // A new day (or month) starts from the read model; yesterday's reservations still count toward this month.
    const carried = known && known.month === month ? known.reservations : new Set<Reservation>();
    const ledger: TenantLedger = { month, day, read: undefined, reservations: carried };
    ledgers.set(customerId, ledger);
    return ledger;
  }

  return {
    /** Holds one OTP request against the quotas, or refuses it with `quota_exceeded` (429, Retry-After, RateLimit-*). */
    async hold(customerId: string, now: Date, actor: Actor): Promise<QuotaHold> {
      const [customer, config] = await Promise.all([
        commands.read(streams.customer(customerId), customerFold),
        commands.read(streams.config(customerId), tenantConfigFold),
      ]);
      const quotas = effectiveQuotas(customer.plan ?? 'free', customer.quotaOverride, config.config.quotas);
      if (quotas.daily === null && quotas.monthly === null) return free;
      const windows = quotaWindows(now);
      const ledger = ledgerOf(customerId, windows.monthly.start.toISOString(), windows.daily.start.toISOString());
      const read = await counted(ledger, customerId, now.getTime());
      // From here to the reservation nothing awaits: requests of this process are counted one at a time.
      let daily = read.daily;
      let monthly = read.monthly;
      for (const r of ledger.reservations) {
        if (r.position !== undefined && read.upTo !== undefined && r.position <= read.upTo) continue;
        monthly += 1;
        if (r.day === ledger.day) daily += 1;
      }
      const verdict = decideQuota(quotas, { daily, monthly }, now);
      if (!verdict.allowed) {
        for (const crossed of verdict.crossed) recorder.quotaExceeded({ customerId, ...crossed }, actor);
        throw new Refusal('quota_exceeded', `the ${verdict.crossed.map((c) => c.window).join(' and ')} OTP quota is used up`, {
          retryAfterSeconds: verdict.retryAfterSeconds,
          rateLimit: verdict.shown,
        });
      }
      const reservation: Reservation = { position: undefined, day: ledger.day };
      ledger.reservations.add(reservation);
      return {
        shown: verdict.shown,
        settle: (position) => {
          if (position === undefined) ledger.reservations.delete(reservation);
          else reservation.position = position;
        },
        release: () => ledger.reservations.delete(reservation),
      };
    },
  };
}
export type OtpQuotaGate = ReturnType<typeof createOtpQuotaGate>;
