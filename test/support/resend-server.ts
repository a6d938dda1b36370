import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** One email as the Resend API took it: the key it came with and the documented JSON fields. */
export interface ResendEmail {
  apiKey: string;
  idempotencyKey: string | undefined;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/**
 * A scripted answer for the next request: a status with Resend's error body, no answer at all,
 * headers and then silence, or a 200 that is not Resend's (a proxy's page).
 */
export type ResendFault = { status: 401 | 403 | 422 | 429 | 500 } | { hang: 'before headers' | 'after headers' } | { notResend: true };

// POST /emails as https://resend.com/docs/api-reference/emails/send-email documents it.
const SendEmailBody = z.object({
  from: z.string().min(3),
  to: z.union([z.string(), z.array(z.string()).min(1).max(50)]),
  subject: z.string().min(1),
  text: z.string().optional(),
  html: z.string().optional(),
});

const ERROR_NAMES: Record<number, string> = {
  401: 'missing_api_key',
  403: 'invalid_api_key',
  404: 'not_found',
  405: 'method_not_allowed',
  422: 'validation_error',
  429: 'rate_limit_exceeded',
  500: 'internal_server_error',
};

/**
 * A real HTTP server on loopback standing in for the Resend API: it checks each
 * request as the provider documents it (method, path, Bearer key, JSON fields)
 * and refuses as Resend does. Its error messages quote the recipient on
 * purpose, as a provider's may, so a spec can show the service never passes
 * them on. `keys` are the API keys it accepts.
 */
export async function startResendServer(keys: string[]) {
  const accepted = new Set(keys);
  const emails: ResendEmail[] = [];
  const faults: ResendFault[] = [];
  const hanging: ServerResponse[] = [];

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, status: number, message: string) =>
    answer(res, status, { statusCode: status, name: ERROR_NAMES[status] ?? 'application_error', message });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url !== '/emails') return refuse(res, 404, `no route ${req.url}`);
    if (req.method !== 'POST') return refuse(res, 405, `${req.method} is not allowed`);
    const auth = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (!auth) return refuse(res, 401, 'Missing API key in the authorization header');
    if (!accepted.has(auth[1]!)) return refuse(res, 403, 'API key is invalid');
    if (!/^application\/json/.test(req.headers['content-type'] ?? '')) return refuse(res, 422, 'the body must be JSON');
    let body: z.infer<typeof SendEmailBody>;
    try {
      body = SendEmailBody.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
    } catch {
      return refuse(res, 422, 'Invalid body');
    }
    const to = typeof body.to === 'string' ? [body.to] : body.to;
    const fault = faults.shift();
    if (fault && 'hang' in fault) {
      if (fault.hang === 'after headers') res.writeHead(200, { 'content-type': 'application/json' }).flushHeaders();
      hanging.push(res);
      return;
    }
    if (fault && 'notResend' in fault) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>welcome to the proxy</html>');
      return;
    }
    if (fault) return refuse(res, fault.status, `could not send to ${to.join(', ')}`);
    const idempotencyKey = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : undefined;
    emails.push({
      apiKey: auth[1]!,
      idempotencyKey,
      from: body.from,
      to,
      subject: body.subject,
      text: body.text ?? '',
      html: body.html ?? '',
    });
    answer(res, 200, { id: randomUUID() });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    emails,
    /** The next request (after the checks above pass) gets `fault` instead of being sent. */
    failNext(fault: ResendFault): void {
      faults.push(fault);
    },
    /** The code in the newest email to `to`. */
    codeFor(to: string): string | undefined {
      const email = emails.filter((e) => e.to.includes(to)).at(-1);
      return email && /sign-in code is ([0-9]{6,9})/.exec(email.text)?.[1];
    },
    async close(): Promise<void> {
      hanging.splice(0).forEach((res) => res.destroy());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type ResendServer = Awaited<ReturnType<typeof startResendServer>>;
