import { collections, readModelProjections, type UsageBucketDocument } from '@otp/contracts';
import type { DocumentStore } from '@otp/platform/document-store';

/** A tenant's OTP requests this UTC day and month, as the usage read model has counted them, up to `upTo`. */
export interface OtpUsageCount {
  daily: number;
  monthly: number;
  /** The log position the counts cover (the usage projection's checkpoint); undefined before its first event. */
  upTo: bigint | undefined;
}

export interface OtpUsage {
  count(customerId: string, monthStart: string, dayStart: string): Promise<OtpUsageCount>;
}

/**
 * The counts from the usage read model's day buckets. The checkpoint is read
 * first: a count that includes events past it can only count a request twice
 * (once here, once as this process's own), so the error errs toward refusing.
 */
export function otpUsageFromReadModel(documents: DocumentStore): OtpUsage {
  return {
    async count(customerId, monthStart, dayStart) {
      const checkpoint = await documents.getCheckpoint(readModelProjections.usage);
      const days = await documents.find<UsageBucketDocument>(collections.usage, {
        where: { tenantId: customerId, granularity: 'day', start: { $gte: monthStart } },
      });
      let monthly = 0;
      let daily = 0;
      for (const day of days) {
        monthly += day.otpRequested;
        if (day.start === dayStart) daily += day.otpRequested;
      }
      return { daily, monthly, upTo: checkpoint?.position };
    },
  };
}
