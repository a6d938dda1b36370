import { Gauge, type Registry } from 'prom-client';
import type { ProjectionStatus } from './projection-runner';

const STATES = ['stopped', 'starting', 'catching-up', 'live', 'failed'] as const;

/**
 * Exposes projection progress on /metrics, read at scrape time: an operator
 * alerts on `projection_state{state="failed"} == 1` (one series per projection) or a growing `projection_lag_seconds`
 * before users notice stale usage or audit pages.
 */
export function registerProjectionMetrics(registry: Registry, statuses: () => readonly ProjectionStatus[]): void {
  new Gauge({
    name: 'projection_position',
    help: 'Global event-store position committed with the read models',
    labelNames: ['projection'] as const,
    registers: [registry],
    collect() {
      for (const s of statuses()) this.set({ projection: s.name }, Number(s.position ?? 0n));
    },
  });
  new Gauge({
    name: 'projection_lag_seconds',
    help: 'Age of the last projected event while catching up; 0 when live',
    labelNames: ['projection'] as const,
    registers: [registry],
    collect() {
      for (const s of statuses()) if (s.lagMs !== undefined) this.set({ projection: s.name }, s.lagMs / 1000);
    },
  });
  new Gauge({
    name: 'projection_state',
    help: '1 for the state the projection is in (stopped, starting, catching-up, live, failed), 0 for the others',
    labelNames: ['projection', 'state'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const s of statuses()) {
        for (const state of STATES) this.set({ projection: s.name, state }, state === s.state ? 1 : 0);
      }
    },
  });
}
