import { assertCollectionName, assertFieldPath } from '../names';

/**
 * Read-model tables share the event store's file in embedded mode, so they
 * live under their own prefix. Collection names never start with `_`, so
 * `rm__checkpoint` can never be a collection's table.
 */
export const CHECKPOINT_TABLE = '"rm__checkpoint"';
/** The lease rows and the checkpoints' fences (`../lease`), under the same reserved prefix. */
export const LEASE_TABLE = '"rm__lease"';
export const FENCE_TABLE = '"rm__fence"';

export function tableName(collection: string): string {
  assertCollectionName(collection);
  return `"rm_${collection}"`;
}

/**
 * The SQL expression for a field. Paths are inlined (after validation) rather
 * than bound because SQLite only uses an expression index when the query
 * repeats the indexed expression literally.
 */
export function fieldExpression(field: string): string {
  assertFieldPath(field);
  return field === '_id' ? 'id' : `json_extract(doc, '$.${field}')`;
}

/** The field's type ('text', 'integer', 'real', 'true', ...), for the checks that keep SQLite comparing like Mongo. */
export function fieldTypeExpression(field: string): string {
  assertFieldPath(field);
  return field === '_id' ? 'typeof(id)' : `json_type(doc, '$.${field}')`;
}

export function indexName(collection: string, fields: string[]): string {
  fields.forEach(assertFieldPath);
  return `"rm_${collection}(${fields.join(',')})"`;
}
