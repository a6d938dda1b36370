/** A second rebuild of a projection while one runs: both would fill the same collections beside it (409). */
export class RebuildInProgressError extends Error {
  override readonly name = 'RebuildInProgressError';
}
