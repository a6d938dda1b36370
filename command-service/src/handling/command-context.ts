import type { Actor } from '@otp/contracts';

/** Who asked, when and through which request: becomes every event's metadata. */
export interface CommandContext {
  /** Unique per command; event ids are derived from it so a retried append cannot write twice. */
  commandId: string;
  requestId: string;
  correlationId: string;
  causationId: string;
  tenantId: string;
  actor: Actor;
  now: Date;
  clientIp?: string;
  userAgent?: string;
}
