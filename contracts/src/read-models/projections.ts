/**
 * The projections behind the read models, by the name of the checkpoint each commits with its
 * documents. The query side waits on them for read-your-writes (embedded: the projection
 * thread's status; distributed: the checkpoint itself), so the names live here rather than in
 * projection-service, which the query side must not import.
 */
export const readModelProjections = { customers: 'customers', usage: 'usage', audit: 'audit' } as const;
export type ReadModelProjection = (typeof readModelProjections)[keyof typeof readModelProjections];
export const READ_MODEL_PROJECTIONS: readonly ReadModelProjection[] = Object.values(readModelProjections);
