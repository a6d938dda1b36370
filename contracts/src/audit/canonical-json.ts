/**
 * Deterministic JSON: object keys sorted (by UTF-16 code units), no whitespace, bigint as
 * decimal string, undefined members left out. Hashes are computed over this form so any
 * implementation can recompute them.
 *
 * Written as one string build per value, without intermediate arrays: it runs over every
 * event the store seals, and the map/filter/sort/join form was a tenth of an append's CPU.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (typeof value !== 'object') return String(JSON.stringify(value));
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // sort() without a comparator orders strings by UTF-16 code units, as `a < b` does.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(member)}`;
    first = false;
  }
  return `${out}}`;
}
