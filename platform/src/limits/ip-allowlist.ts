import { BlockList, isIPv4, isIPv6 } from 'node:net';

const lists = new WeakMap<readonly string[], BlockList>();

/** An IPv4 client seen on a dual-stack socket (`::ffff:192.0.2.1`) is the IPv4 address it is. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const known = lists.get(cidrs);
  if (known) return known;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = '', bits] = cidr.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  // Keyed by the config's own array: one BlockList per config version, built on its first use.
  lists.set(cidrs, list);
  return list;
}

/**
 * Whether `address` may use the tenant's keys: an empty allowlist allows
 * every address; otherwise the address must fall in one of its CIDR blocks
 * (validated by the config's schema). An address that is not an IP at all
 * (a socket already gone) is outside every list.
 */
export function allowedByList(cidrs: readonly string[], address: string | undefined): boolean {
  if (cidrs.length === 0) return true;
  if (address === undefined) return false;
  const plain = plainAddress(address);
  if (isIPv4(plain)) return blockListOf(cidrs).check(plain, 'ipv4');
  if (isIPv6(plain)) return blockListOf(cidrs).check(plain, 'ipv6');
  return false;
}
