/** Usage is counted in UTC hours, days and months; the query side walks the same buckets. */
export const GRANULARITIES = ['hour', 'day', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Start of the UTC hour, day or month holding `instant`: what buckets are keyed and sorted by. */
export function bucketStart(instant: Date | string, granularity: Granularity): Date {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) throw new RangeError(`not a timestamp: ${String(instant)}`);
  const day = granularity === 'month' ? 1 : at.getUTCDate();
  const hour = granularity === 'hour' ? at.getUTCHours() : 0;
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), day, hour));
}

/** The start of the bucket after the one starting at `start` (months are not all as long). */
export function nextBucketStart(start: Date, granularity: Granularity): Date {
  if (granularity === 'month') return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return new Date(start.getTime() + (granularity === 'hour' ? 3_600_000 : 86_400_000));
}

/** The starts of every bucket that overlaps [from, to), in order. */
export function bucketStarts(from: Date, to: Date, granularity: Granularity): Date[] {
  const starts: Date[] = [];
  for (let t = bucketStart(from, granularity); t < to; t = nextBucketStart(t, granularity)) starts.push(t);
  return starts;
}
