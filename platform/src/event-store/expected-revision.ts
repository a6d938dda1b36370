import type { ExpectedRevision } from './port';

/** The port's four expectations, judged against where the stream stands. Shared so both adapters agree. */
export function revisionMatches(expected: ExpectedRevision, actual: bigint | 'no_stream'): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === 'no_stream';
    case 'stream_exists':
      return actual !== 'no_stream';
    default:
      return actual === expected;
  }
}
