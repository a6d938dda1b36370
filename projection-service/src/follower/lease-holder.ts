import type { LeaseStore } from '@otp/platform/document-store';
import type { Logger } from '@otp/platform/logging';

/** What runs while the lease is held: started with its fencing token, stopped when the lease is lost. */
export interface LeasedWork {
  stop(): Promise<void>;
}

export interface LeaseHolderOptions {
  leases: LeaseStore;
  /** The lease's name: every instance that may do this work asks for the same one. */
  name: string;
  /** This instance, unique among them (host and pid, and a random part). */
  owner: string;
  /** How long a holder that stops renewing keeps the lease: the longest a takeover waits. */
  ttlMs: number;
  /** How often the holder renews and a standby asks; well under `ttlMs`. */
  renewEveryMs: number;
  logger: Logger;
  start(token: number): Promise<LeasedWork>;
}

export type LeaseState = 'standby' | 'active' | 'stopped';

/**
 * One instance does the work, the others stand by: each asks for the lease every
 * `renewEveryMs`; the holder renews it, a standby takes it once the holder has let it expire.
 * The holder stops its work at once when a renewal fails or finds another owner, and when the
 * lease runs out before a renewal answered, so two instances never work past the TTL together;
 * the fencing token refuses a late batch if they do (a process paused longer than the TTL).
 */
export class LeaseHolder {
  private work: LeasedWork | undefined;
  private token: number | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly logger: Logger;

  constructor(private readonly options: LeaseHolderOptions) {
    this.logger = options.logger.child({ component: 'lease', lease: options.name, owner: options.owner });
  }

  get state(): LeaseState {
    return this.stopped ? 'stopped' : this.work ? 'active' : 'standby';
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops the work and lets the lease go, so a standby takes over at its next ask instead of after the TTL. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await this.lose(undefined);
    await this.options.leases.releaseLease(this.options.name, this.options.owner).catch((error: unknown) => {
      this.logger.warn({ err: (error as Error).message }, 'lease not released; a standby takes it when it expires');
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.ask();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.options.renewEveryMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async ask(): Promise<void> {
    const { leases, name, owner, ttlMs } = this.options;
    const asked = Date.now();
    let token: number | undefined;
    try {
      token = await leases.acquireLease(name, owner, ttlMs);
    } catch (error) {
      if (this.work) await this.lose(`renewal failed: ${(error as Error).message}`);
      else this.logger.warn({ err: (error as Error).message }, 'lease store unreachable; standing by');
      return;
    }
    if (this.stopped) return;
    if (this.work && token !== this.token) return this.lose('another instance holds the lease');
    if (token === undefined) return;
    // The lease runs from when it was asked for, not from when the answer came.
    this.holdUntil(asked + ttlMs);
    if (this.work) return;
    this.token = token;
    this.logger.info({ fencingToken: token }, 'lease taken: this instance is active');
    this.work = await this.options.start(token);
  }

  private holdUntil(deadline: number): void {
    clearTimeout(this.expiry);
    this.expiry = setTimeout(() => void this.lose('lease ran out before a renewal answered'), Math.max(0, deadline - Date.now()));
  }

  /** `reason` undefined: a clean stop, which is no loss to warn about. */
  private async lose(reason: string | undefined): Promise<void> {
    clearTimeout(this.expiry);
    const work = this.work;
    if (!work) return;
    this.work = undefined;
    this.token = undefined;
    if (reason) this.logger.warn({ reason }, 'lease lost: stopping the work');
    await work.stop();
  }
}
