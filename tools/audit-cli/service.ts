import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import type { JSONWebKeySet } from 'jose';
import { CheckpointResponse, HistoryLine, VerifyResponse } from '@otp/contracts';

export interface ServiceOptions {
  url: string;
  key: string;
}

/** The service's auditor API, over HTTP with an `audit:read` key. */
export function auditService({ url, key }: ServiceOptions) {
  const get = async (path: string, withKey = true): Promise<Response> => {
    const response = await fetch(new URL(path, url), { headers: withKey ? { authorization: `Bearer ${key}` } : {} });
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as { title?: string; detail?: string };
      throw new Error(`GET ${path}: ${response.status} ${problem.title ?? ''}${problem.detail ? `: ${problem.detail}` : ''}`);
    }
    return response;
  };
  return {
    /** The tenant's events after `after`, line by line as they arrive (never the whole history in memory). */
    async *events(after: number): AsyncGenerator<{ line: HistoryLine; text: string }> {
      const response = await get(`/v1/audit/events?after=${after}`);
      const body = Readable.fromWeb(response.body as ReadableStream<Uint8Array>);
      for await (const text of createInterface({ input: body, crlfDelay: Infinity })) {
        if (text) yield { line: HistoryLine.parse(JSON.parse(text)), text };
      }
    },
    async checkpoint(): Promise<CheckpointResponse> {
      return CheckpointResponse.parse(await (await get('/v1/audit/checkpoint')).json());
    },
    async verify(since: string | undefined): Promise<VerifyResponse> {
      const query = since ? `?since=${since}` : '';
      return VerifyResponse.parse(await (await get(`/v1/audit/verify${query}`)).json());
    },
    async jwks(): Promise<JSONWebKeySet> {
      return (await (await get('/.well-known/jwks.json', false)).json()) as JSONWebKeySet;
    },
  };
}
export type AuditService = ReturnType<typeof auditService>;
