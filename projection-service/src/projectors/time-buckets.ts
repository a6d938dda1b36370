import type { UsageBucketDocument } from '@otp/contracts';

export type Granularity = UsageBucketDocument['granularity'];
export const GRANULARITIES: readonly Granularity[] = ['hour', 'day'];

/** Start of the UTC hour or day holding `instant`, as the ISO string buckets are keyed and sorted by. */
export function bucketStart(instant: string, granularity: Granularity): string {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) throw new RangeError(`not a timestamp: ${instant}`);
  const hour = granularity === 'hour' ? at.getUTCHours() : 0;
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), hour)).toISOString();
}
