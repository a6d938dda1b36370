import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from 'vitest';
import { parseEvent } from '@otp/contracts';
import type { RecordedEvent } from '@otp/platform/event-store';
import type { GivenEvent } from './given-events';
import { httpClient, type HttpCall } from './http';
import { startRouteApp, type RouteApp, type RouteAppOptions } from './route-app';

export type SpecResponse = Awaited<ReturnType<HttpCall>>;
export type RequestOptions = NonNullable<Parameters<HttpCall>[2]>;

interface Outcome {
  response: SpecResponse;
  /** What the request appended, in commit order. */
  newEvents: RecordedEvent[];
  app: RouteApp;
}

/** One expectation of a `then`; those about events replace the default "no new event". */
export interface Expectation {
  aboutEvents: boolean;
  check: (outcome: Outcome) => void | Promise<void>;
}

type ExpectedHeaders = Record<string, string | RegExp | null>;

function expectHeaders(response: SpecResponse, headers: ExpectedHeaders): void {
  for (const [name, value] of Object.entries(headers)) {
    const actual = response.headers.get(name);
    if (value === null) expect(actual, `header ${name}`).toBeNull();
    else if (typeof value === 'string') expect(actual, `header ${name}`).toBe(value);
    else expect(actual, `header ${name}`).toMatch(value);
  }
}

/** The status, and where given: the body (a partial match, or `equals` whole), headers (null: absent) and the text. */
export function expectResponse(
  status: number,
  expected: { body?: unknown; equals?: unknown; headers?: ExpectedHeaders; text?: RegExp } = {},
): Expectation {
  return {
    aboutEvents: false,
    check: ({ response }) => {
      expect(response.status, response.text).toBe(status);
      if (expected.body !== undefined) expect(response.body).toMatchObject(expected.body as object);
      if (expected.equals !== undefined) expect(response.body).toEqual(expected.equals);
      if (expected.headers) expectHeaders(response, expected.headers);
      if (expected.text) expect(response.text).toMatch(expected.text);
    },
  };
}

/**
 * An RFC 9457 answer: problem+json with the status, the stable `type` (its last path segment,
 * e.g. `invalid-api-key`) and a title. A refusal never records anything: with no event
 * expectation beside it, `then` checks that no event was appended.
 */
export function expectProblem(status: number, type: string, expected: { body?: unknown; headers?: ExpectedHeaders } = {}): Expectation {
  return {
    aboutEvents: false,
    check: ({ response }) => {
      expect(response.status, response.text).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body).toMatchObject({ status, type: `https://otp-auth.dev/problems/${type}`, title: expect.any(String) });
      if (expected.body !== undefined) expect(response.body).toMatchObject(expected.body as object);
      if (expected.headers) expectHeaders(response, expected.headers);
    },
  };
}

export interface ExpectedEvent {
  type: string;
  /** Matched partially: the fields that matter. */
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  streamName?: string | RegExp;
}

/** Exactly these events, in this order, each one valid against its contract. */
export function expectNewEvents(expected: ExpectedEvent[]): Expectation {
  return {
    aboutEvents: true,
    check: ({ newEvents }) => {
      expect(newEvents.map((e) => e.type)).toEqual(expected.map((e) => e.type));
      newEvents.forEach((event, i) => {
        const want = expected[i]!;
        expect(parseEvent(event.type, event.data).data).toEqual(event.data);
        if (want.data) expect(event.data, event.type).toMatchObject(want.data);
        if (want.metadata) expect(event.metadata, event.type).toMatchObject(want.metadata);
        if (typeof want.streamName === 'string') expect(event.streamName).toBe(want.streamName);
        else if (want.streamName) expect(event.streamName).toMatch(want.streamName);
      });
    },
  };
}

/** For what a plain comparison cannot say (a token's claims, a file in the mailbox, a walk through pages). */
export function expectThat(check: (outcome: Outcome) => void | Promise<void>): Expectation {
  return { aboutEvents: false, check };
}

/**
 * Route specifications: given events already in streams, when a request goes through the real
 * app, then its status, headers, problem type and the events it appended. One app per spec file
 * (see `startRouteApp`), started before its cases and closed after them; cases stay independent
 * by giving each its own tenant, and the new events are those after the case's given.
 * Every answer must carry X-Request-Id; an answer with no event expectation must append nothing.
 */
export function useRouteSpec(options: RouteAppOptions = {}) {
  let app: RouteApp | undefined;
  /** The log's last position as far as the cases have seen it. */
  let head = 0n;
  const started = (): RouteApp => {
    if (!app) throw new Error('the route spec app is started in beforeAll');
    return app;
  };
  beforeAll(async () => {
    app = await startRouteApp(options);
  });
  afterAll(async () => {
    await app?.close();
  });

  const newEventsSince = async (after: bigint): Promise<RecordedEvent[]> => {
    const events: RecordedEvent[] = [];
    for (
      let page = await started().eventStore.readAll({ after });
      page.length > 0;
      page = await started().eventStore.readAll({ after: page.at(-1)!.position })
    ) {
      events.push(...page);
    }
    return events;
  };

  async function append(events: GivenEvent[]): Promise<void> {
    // Consecutive events of one stream go in one append, as one command writes them.
    for (let i = 0; i < events.length;) {
      const streamName = events[i]!.streamName;
      let end = i;
      while (end < events.length && events[end]!.streamName === streamName) end++;
      const batch = events.slice(i, end).map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata: e.metadata }));
      head = (await started().eventStore.append(streamName, batch, 'any')).position;
      i = end;
    }
    // The read routes answer from the read models: they must hold the given (and what cases before appended).
    if (head > 0n) await started().projected(head);
  }

  return {
    get app() {
      return started();
    },
    /** A client of the app, for what a spec does besides its one request (e.g. fetching the JWKS). */
    get http(): HttpCall {
      return httpClient(started().baseUrl);
    },
    given(...events: (GivenEvent | GivenEvent[])[]) {
      return {
        when(request: (http: HttpCall) => Promise<SpecResponse>) {
          return {
            /** Runs the case: appends the given, sends the request, checks every expectation. */
            async thenOutcome(...expectations: Expectation[]): Promise<Outcome> {
              head = (await newEventsSince(head)).at(-1)?.position ?? head;
              await append(events.flat());
              const before = head;
              const response = await request(httpClient(started().baseUrl));
              const outcome = { response, newEvents: await newEventsSince(before), app: started() };
              head = outcome.newEvents.at(-1)?.position ?? head;
              expect(response.headers.get('x-request-id'), 'every answer has X-Request-Id').toBeTruthy();
              for (const expectation of expectations) await expectation.check(outcome);
              if (!expectations.some((e) => e.aboutEvents)) {
                expect(
                  outcome.newEvents.map((e) => e.type),
                  'an answer without expected events appends none',
                ).toEqual([]);
              }
              return outcome;
            },
            /** The same, for a case that needs nothing of the outcome afterwards. */
            async then(...expectations: Expectation[]): Promise<void> {
              await this.thenOutcome(...expectations);
            },
          };
        },
      };
    },
  };
}
