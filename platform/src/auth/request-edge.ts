import type { Router } from 'express';
import type { Registry } from 'prom-client';
import type { EventStore } from '../event-store/port';
import type { StreamStateCache } from '../event-store/stream-state-cache';
import { createApiKeyAuthenticator, type ApiKeyAuthenticatorOptions } from './api-key-authenticator';
import { browserCors } from './browser-cors';
import { createOperatorCheck, type OperatorCheck } from './operator-check';
import { createRequestGuard, type RequestGuard, type RequestGuardOptions } from './request-guard';

export interface RequestEdgeInputs {
  eventStore: EventStore;
  /** The process's one cache of folded streams: the key check, the allowlist and the CORS grants fold the same ones. */
  states: StreamStateCache;
  hashKey: Buffer;
  operatorToken: string;
  /** Where the guard's failure and refusal counters are registered (the process's /metrics). */
  registry: Registry;
  /** The write side's own: the query side appends nothing, so a key's use and a rate refusal are not recorded there. */
  onAuthenticated?: ApiKeyAuthenticatorOptions['onAuthenticated'];
  onRateLimited?: RequestGuardOptions['onRateLimited'];
}

/** What every process puts before its routes: the CORS grants, and the guard every API-key and operator route runs. */
export interface RequestEdge {
  /** Mounted before every router: a preflight is answered here, and every answer to an allowed origin carries its grant. */
  cors: Router;
  guard: RequestGuard;
  /** The operator token's check alone, for routes outside the guard (the embedded server's rebuild). */
  checkOperator: OperatorCheck;
}

/**
 * One wiring of the edge for both sides, in platform because the query side never imports the
 * command side: a process that serves both builds it once (one set of buckets and failure
 * records), a process that serves one builds its own.
 */
export function composeRequestEdge(inputs: RequestEdgeInputs): RequestEdge {
  const { eventStore, states, hashKey, onAuthenticated, onRateLimited } = inputs;
  const checkOperator = createOperatorCheck(inputs.operatorToken, hashKey);
  const authenticate = createApiKeyAuthenticator({ eventStore, states, hashKey, onAuthenticated });
  const guard = createRequestGuard({ authenticate, checkOperator, eventStore, states, hashKey, registry: inputs.registry, onRateLimited });
  return { cors: browserCors({ eventStore, states }), guard, checkOperator };
}
