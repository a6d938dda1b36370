import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';

const TXT = 16;
const NXDOMAIN = 3;

/** The question's name (lower case) and where the question ends, or undefined for a message that is not one plain query. */
function readQuestion(message: Buffer): { name: string; type: number; end: number } | undefined {
  if (message.length < 12 || message.readUInt16BE(4) !== 1) return undefined;
  const labels: string[] = [];
  let at = 12;
  while (at < message.length && message[at]! > 0) {
    const length = message[at]!;
    labels.push(message.subarray(at + 1, at + 1 + length).toString('ascii'));
    at += 1 + length;
  }
  if (at + 5 > message.length) return undefined;
  return { name: labels.join('.').toLowerCase(), type: message.readUInt16BE(at + 1), end: at + 5 };
}

/** One TXT answer: a pointer to the question's name, then the value cut into strings of at most 255 bytes. */
function txtAnswer(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const strings: Buffer[] = [];
  for (let at = 0; at < bytes.length || strings.length === 0; at += 255) {
    const part = bytes.subarray(at, at + 255);
    strings.push(Buffer.concat([Buffer.from([part.length]), part]));
  }
  const rdata = Buffer.concat(strings);
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0);
  fixed.writeUInt16BE(TXT, 2);
  fixed.writeUInt16BE(1, 4); // IN
  fixed.writeUInt32BE(60, 6); // TTL
  fixed.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([fixed, rdata]);
}

function answer(query: Buffer, records: ReadonlyMap<string, string[]>): Buffer | undefined {
  const question = readQuestion(query);
  if (!question) return undefined;
  const values = records.get(question.name);
  const answers = values && question.type === TXT ? values.map(txtAnswer) : [];
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // the id
  // A response, recursion desired and available; NXDOMAIN for a name it holds nothing for.
  header.writeUInt16BE(0x8180 | (values ? 0 : NXDOMAIN), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, query.subarray(12, question.end), ...answers]);
}

/**
 * A real DNS server on a UDP port of 127.0.0.1, answering TXT queries from the
 * records a spec publishes (NXDOMAIN for any other name), so the domain checks
 * go through node's real resolver and real packets. Small enough to read
 * whole, which a DNS package would not be; it speaks only what the checks ask.
 */
export async function startDnsServer() {
  const records = new Map<string, string[]>();
  const socket = createSocket('udp4');
  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    const reply = answer(message, records);
    if (reply) socket.send(reply, from.port, from.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  return {
    /** What DNS_RESOLVER names to reach it. */
    address: `127.0.0.1:${port}`,
    /** Publishes (or replaces) the TXT values at `name`. */
    publish(name: string, ...values: string[]): void {
      records.set(name.toLowerCase(), values);
    },
    async close(): Promise<void> {
      socket.close();
      await once(socket, 'close');
    },
  };
}
export type DnsServer = Awaited<ReturnType<typeof startDnsServer>>;
