/**
 * Times from code request to verification, kept as a histogram per tenant and day rather than
 * one value per verification: a summary over 400 days reads 400 small documents, whatever the
 * traffic. Bin `i` holds durations in (R^(i-1), R^i] milliseconds, R = 2^(1/16); bin 0 holds
 * those of 1 ms or less. A quantile read from the bins is the upper edge of the bin holding the
 * exact (nearest-rank) value: never below it, and less than 4.5% (plus 1 ms of rounding) above.
 */
const RATIO = 2 ** (1 / 16);

export const durationBin = (ms: number): number => (ms <= 1 ? 0 : Math.ceil(Math.log(ms) / Math.log(RATIO) - 1e-9));

/** The upper edge of bin `index`, in whole milliseconds. */
export const binUpperEdgeMs = (index: number): number => Math.ceil(RATIO ** index - 1e-9);

/** The document field of a bin: field names must start with a letter. */
export const binField = (index: number): string => `b${index}`;

/**
 * The nearest-rank quantile `q` (0 < q <= 1) of the durations the bins count, as the upper
 * edge of its bin; null when they count none.
 */
export function quantileMs(bins: ReadonlyMap<number, number>, q: number): number | null {
  const total = [...bins.values()].reduce((sum, n) => sum + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const index of [...bins.keys()].sort((a, b) => a - b)) {
    seen += bins.get(index)!;
    if (seen >= rank) return binUpperEdgeMs(index);
  }
  return null;
}
