import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a webhook may be sent to (the SSRF guard, docs/webhooks.md). Only public unicast
 * addresses are allowed unless the operator allows private targets (WEBHOOKS_ALLOW_PRIVATE=1). The
 * classifier is pure: the HTTP client calls it on every address a host name resolves to, and connects only
 * to an address it approved.
 */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'multicast'
  | 'unique-local'
  | 'reserved'
  | 'invalid';

const ranges: readonly (readonly [Exclude<AddressClass, 'public' | 'invalid'>, string, number, 'ipv4' | 'ipv6'])[] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  // RFC 6598 carrier-grade NAT space: inside a provider's network, never a merchant's public endpoint.
  ['shared', '100.64.0.0', 10, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['unique-local', 'fc00::', 7, 'ipv6'],
  ['reserved', '240.0.0.0', 4, 'ipv4'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '192.0.2.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '198.51.100.0', 24, 'ipv4'],
  ['reserved', '203.0.113.0', 24, 'ipv4'],
  ['reserved', '100::', 64, 'ipv6'],
  ['reserved', '2001:db8::', 32, 'ipv6'],
  ['reserved', 'fec0::', 10, 'ipv6'],
  ['reserved', '64:ff9b:1::', 48, 'ipv6'],
];

const lists = new Map<AddressClass, BlockList>();
for (const [name, network, prefix, family] of ranges) {
  let list = lists.get(name);
  if (!list) {
    list = new BlockList();
    lists.set(name, list);
  }
  list.addSubnet(network, prefix, family);
}

/** The 16 bytes of an IPv6 address (already known to be valid), as eight 16-bit groups. */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a, b, c, d] = dotted[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const fill = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
}

/** Classifies an IP address (v4 or v6, without brackets or zone). IPv4-mapped and NAT64 (64:ff9b::/96) addresses are judged by the IPv4 address inside. */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) return 'invalid';
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (type === 'ipv6') {
    const g = ipv6Groups(address);
    if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) {
      const v4 = `${(g[6] as number) >> 8}.${(g[6] as number) & 255}.${(g[7] as number) >> 8}.${(g[7] as number) & 255}`;
      return classifyAddress(v4);
    }
  }
  // A BlockList's IPv4 rules also match IPv4-mapped IPv6 addresses (::ffff:127.0.0.1).
  for (const [name, list] of lists) if (list.check(address, type)) return name;
  return 'public';
}

/** Strips the brackets of an IPv6 URL host (`[::1]` -> `::1`). */
export const unbracket = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);
