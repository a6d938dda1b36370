import type { Condition, FindQuery } from './port';
import { assertFieldPath, InvalidDocumentStoreInputError } from './names';

/**
 * A FindQuery checked once and put in a shape both adapters translate
 * mechanically, so they accept and reject exactly the same queries.
 */
export type Predicate =
  | { field: string; kind: 'eq'; value: string | number | boolean | null }
  | { field: string; kind: 'range'; valueType: 'string' | 'number'; bounds: [RangeOp, string | number][] };

export type RangeOp = '$gt' | '$gte' | '$lt' | '$lte';
const RANGE_OPS: readonly RangeOp[] = ['$gt', '$gte', '$lt', '$lte'];

export interface NormalizedQuery {
  predicates: Predicate[];
  orderBy: { field: string; direction: 'asc' | 'desc' }[];
  limit: number | undefined;
}

export function normalizeQuery(query: FindQuery): NormalizedQuery {
  const predicates = Object.entries(query.where ?? {}).map(([field, condition]) => toPredicate(field, condition));
  const orderBy = (query.orderBy ?? []).map(([field, direction]) => {
    assertFieldPath(field);
    if (direction !== 'asc' && direction !== 'desc')
      throw new InvalidDocumentStoreInputError(`invalid sort direction ${String(direction)}`);
    return { field, direction };
  });
  const { limit } = query;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new InvalidDocumentStoreInputError(`limit must be a non-negative integer, got ${String(limit)}`);
  }
  return { predicates, orderBy, limit };
}

function toPredicate(field: string, condition: Condition): Predicate {
  assertFieldPath(field);
  if (condition === null || typeof condition === 'string' || typeof condition === 'boolean') {
    return { field, kind: 'eq', value: condition };
  }
  if (typeof condition === 'number') {
    if (!Number.isFinite(condition)) throw new InvalidDocumentStoreInputError(`${field}: numbers must be finite`);
    return { field, kind: 'eq', value: condition };
  }
  if (typeof condition !== 'object') throw new InvalidDocumentStoreInputError(`${field}: unsupported condition`);
  const bounds: [RangeOp, string | number][] = [];
  for (const [op, value] of Object.entries(condition)) {
    if (!RANGE_OPS.includes(op as RangeOp)) throw new InvalidDocumentStoreInputError(`${field}: unknown operator ${op}`);
    if (value === undefined) continue;
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
      throw new InvalidDocumentStoreInputError(`${field}: ${op} takes a string or a finite number`);
    }
    bounds.push([op as RangeOp, value]);
  }
  const first = bounds[0];
  if (!first) throw new InvalidDocumentStoreInputError(`${field}: a range needs at least one bound`);
  // Mongo compares only values of the bound's type; mixing types would make the adapters disagree.
  const valueType = typeof first[1] === 'string' ? 'string' : 'number';
  if (bounds.some(([, v]) => typeof v !== valueType)) {
    throw new InvalidDocumentStoreInputError(`${field}: range bounds must all be strings or all numbers`);
  }
  return { field, kind: 'range', valueType, bounds };
}
