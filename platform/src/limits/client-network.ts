import { isIPv6 } from 'node:net';
import { plainAddress } from './ip-allowlist';

/** The groups of one side of an IPv6 `::`; a dotted IPv4 tail is the last two groups, past any /64. */
const groupsOf = (part: string): string[] => (part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])));

/** The /64 an IPv6 address is in, written the same however the address was. */
function network64(address: string): string {
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const front = groupsOf(head);
  const back = tail === undefined ? [] : groupsOf(tail);
  const groups = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}

/**
 * What a limit on anonymous callers counts one client by: an IPv4 address as
 * it is, an IPv6 address by its /64. A host is handed a whole /64 (RFC 6177
 * and common practice), so counting single IPv6 addresses would let one
 * client take a fresh budget per request. Anything else (no socket address
 * left) is counted as itself.
 */
export function clientNetwork(address: string): string {
  const plain = plainAddress(address);
  return isIPv6(plain) ? network64(plain) : plain;
}
