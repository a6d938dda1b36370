import type { FindQuery } from '../port';
import { normalizeQuery, type Predicate } from '../query';
import { fieldExpression, fieldTypeExpression, tableName } from './sql-names';

const RANGE_SQL = { $gt: '>', $gte: '>=', $lt: '<', $lte: '<=' } as const;

/** Mongo's type bracketing: a string bound never matches a number and vice versa. */
const TYPE_GUARD = { string: `IN ('text')`, number: `IN ('integer', 'real')` } as const;

export interface SqlQuery {
  sql: string;
  params: (string | number)[];
}

/** Every value is a bound parameter; only validated names are inlined. */
export function findSql(collection: string, query: FindQuery): SqlQuery | 'empty' {
  const { predicates, orderBy, limit } = normalizeQuery(query);
  // Mongo reads limit 0 as "no limit"; the port means "nothing", so neither adapter asks the database.
  if (limit === 0) return 'empty';
  const params: (string | number)[] = [];
  const where = predicates.map((predicate) => predicateSql(predicate, params));
  const order = orderBy.map(({ field, direction }) => `${fieldExpression(field)} ${direction === 'asc' ? 'ASC' : 'DESC'}`);
  // Ties break on the id so pages are stable, as the Mongo adapter does.
  if (!orderBy.some(({ field }) => field === '_id')) order.push('id ASC');
  let sql = `SELECT doc FROM ${tableName(collection)}`;
  if (where.length > 0) sql += ` WHERE ${where.join(' AND ')}`;
  sql += ` ORDER BY ${order.join(', ')}`;
  if (limit !== undefined) {
    sql += ' LIMIT ?';
    params.push(limit);
  }
  return { sql, params };
}

function predicateSql(predicate: Predicate, params: (string | number)[]): string {
  const expr = fieldExpression(predicate.field);
  if (predicate.kind === 'range') {
    const parts = predicate.bounds.map(([op, value]) => {
      params.push(value);
      return `${expr} ${RANGE_SQL[op]} ?`;
    });
    parts.push(`${fieldTypeExpression(predicate.field)} ${TYPE_GUARD[predicate.valueType]}`);
    return `(${parts.join(' AND ')})`;
  }
  const { value } = predicate;
  // Like Mongo, null matches a missing field too.
  if (value === null) return `${expr} IS NULL`;
  if (typeof value === 'boolean') {
    // json_extract turns booleans into 1/0, which would also match the numbers 1 and 0.
    params.push(value ? 'true' : 'false');
    return `${fieldTypeExpression(predicate.field)} = ?`;
  }
  params.push(value);
  // Without the guard a string would also equal the JSON text of an object or array field.
  return `(${expr} = ? AND ${fieldTypeExpression(predicate.field)} ${TYPE_GUARD[typeof value === 'string' ? 'string' : 'number']})`;
}
