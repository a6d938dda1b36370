import type { HistoryLine } from '@otp/contracts';
import type { TenantEvent } from '@otp/platform/event-store';

/** An event as the export writes it: the global position stays inside, as it tells of other tenants' volume. */
export function historyLine(event: TenantEvent): HistoryLine {
  return {
    sequence: event.sequence,
    stream: event.streamName,
    revision: Number(event.revision),
    id: event.id,
    type: event.type,
    data: event.data,
    metadata: event.metadata as HistoryLine['metadata'],
  };
}
