import type { Doc, UpdateSpec, WriteOp } from './port';
import { assertCollectionName, assertDocumentId, assertFieldPath, InvalidDocumentStoreInputError } from './names';

const OPERATORS = ['$setOnInsert', '$set', '$inc'] as const;

/**
 * Rejects what Mongo would reject at parse time (unknown operators, `_id`
 * changes, overlapping paths, non-numeric $inc) before anything is written,
 * so both adapters fail the same batches and SQLite needs no special cases.
 */
export function assertValidWriteOp(op: WriteOp): void {
  assertCollectionName(op.collection);
  switch (op.kind) {
    case 'put':
      if (typeof op.doc !== 'object' || op.doc === null || Array.isArray(op.doc)) {
        throw new InvalidDocumentStoreInputError('put needs a document object');
      }
      assertDocumentId(op.doc._id);
      return;
    case 'update':
      assertDocumentId(op.id);
      assertValidUpdate(op.update);
      return;
    case 'delete':
      assertDocumentId(op.id);
      return;
    case 'given':
      assertDocumentId(op.id);
      // The ops it answers are checked as they are answered (`applyWriteOp`).
      if (typeof op.then !== 'function') throw new InvalidDocumentStoreInputError('given needs a then function');
      return;
    default: {
      const unknownOp: never = op;
      throw new InvalidDocumentStoreInputError(`unknown write op ${JSON.stringify(unknownOp)}`);
    }
  }
}

export function assertValidUpdate(spec: UpdateSpec): void {
  const unknown = Object.keys(spec).filter((key) => !(OPERATORS as readonly string[]).includes(key));
  if (unknown.length > 0) throw new InvalidDocumentStoreInputError(`unsupported update operators: ${unknown.join(', ')}`);
  const paths = new Set<string>();
  for (const operator of OPERATORS) {
    const fields = spec[operator];
    if (fields === undefined) continue;
    for (const path of Object.keys(fields)) {
      const value = fields[path];
      assertFieldPath(path);
      if (path === '_id' || path.startsWith('_id.')) throw new InvalidDocumentStoreInputError('_id cannot be updated');
      if (operator === '$inc' && (typeof value !== 'number' || !Number.isFinite(value))) {
        throw new InvalidDocumentStoreInputError(`$inc ${path}: needs a finite number`);
      }
      if (paths.has(path)) throw new InvalidDocumentStoreInputError('an update names the same path twice');
      paths.add(path);
    }
  }
  if (paths.size === 0) throw new InvalidDocumentStoreInputError('an update must name at least one field');
  // A path conflicts with another that is its prefix: checking each path's own prefixes is
  // linear in the paths, where comparing every pair was quadratic on every increment.
  for (const path of paths) {
    for (let dot = path.indexOf('.'); dot !== -1; dot = path.indexOf('.', dot + 1)) {
      const prefix = path.slice(0, dot);
      if (paths.has(prefix)) throw new InvalidDocumentStoreInputError(`update paths ${prefix} and ${path} conflict`);
    }
  }
}

/**
 * The update as Mongo applies it to one document, for adapters that store
 * whole documents. `existing` undefined means the update inserts.
 */
export function applyUpdate(existing: Doc | undefined, id: string, spec: UpdateSpec, mode: 'copy' | 'in-place' = 'copy'): Doc {
  const doc: Doc = existing ? (mode === 'in-place' ? existing : structuredClone(existing)) : { _id: id };
  if (!existing) for (const [path, value] of Object.entries(spec.$setOnInsert ?? {})) setPath(doc, path, value);
  for (const [path, value] of Object.entries(spec.$set ?? {})) setPath(doc, path, value);
  for (const [path, delta] of Object.entries(spec.$inc ?? {})) {
    const current = getPath(doc, path);
    if (current !== undefined && typeof current !== 'number') {
      throw new InvalidDocumentStoreInputError(`$inc ${path}: field holds a non-numeric value in ${id}`);
    }
    setPath(doc, path, (current ?? 0) + delta);
  }
  return doc;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function getPath(doc: Record<string, unknown>, path: string): unknown {
  let current: unknown = doc;
  for (const segment of path.split('.')) {
    if (!isPlainObject(current)) return undefined;
    current = current[segment];
  }
  return current;
}

function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  const last = segments.pop() as string;
  let current = doc;
  for (const segment of segments) {
    const next = current[segment] ?? (current[segment] = {});
    // Mongo refuses to create a field inside a scalar, null or array; so do we.
    if (!isPlainObject(next)) throw new InvalidDocumentStoreInputError(`cannot create ${path}: ${segment} is not an object`);
    current = next;
  }
  current[last] = value;
}
