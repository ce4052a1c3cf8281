/**
 * Whose X-Forwarded-For `request.ip` believes: Fastify's `trustProxy` as a function of the peer's
 * address. Given a list, Fastify compiles it with proxy-addr, which parses the peer's address with
 * ipaddr.js twice (a validity check, then the parse) on every `request.ip` — every join and every
 * per-address limit behind the edge paid it, for an answer that is the same for every request
 * from the same edge. Here an address the list names literally is one Set lookup; any other is
 * checked against the list's addresses and CIDRs with Node's BlockList (IPv4 entries also match
 * IPv4-mapped IPv6 peers, `::ffff:10.0.0.1`, as they did with proxy-addr), and the peers found
 * trusted are remembered. Trust still comes only from the listed edges: a client's own
 * X-Forwarded-For is ignored unless its peer address is on the list.
 */
import { BlockList, isIP } from 'node:net';

/** Trusted peer addresses remembered after a BlockList check (edges are few; a bound all the same). */
const REMEMBERED_AT_MOST = 1_024;

/**
 * `(peerAddress, hop) => trusted?` for Fastify's `trustProxy`, from addresses and CIDRs as
 * TRUSTED_PROXIES lists them (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`); config.ts has
 * refused anything else.
 */
export function trustedProxies(entries: readonly string[]): (address: string | undefined, hop: number) => boolean {
  const list = new BlockList();
  const literal = new Set<string>();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) {
      list.addAddress(address, family);
      literal.add(address);
      if (family === 'ipv4') literal.add(`::ffff:${address}`);
    } else list.addSubnet(address, Number(bits), family);
  }
  const remembered = new Set<string>();
  return (address) => {
    if (address === undefined) return false;
    if (literal.has(address) || remembered.has(address)) return true;
    if (!isListed(list, address)) return false;
    if (remembered.size < REMEMBERED_AT_MOST) remembered.add(address);
    return true;
  };
}

function isListed(list: BlockList, address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  try {
    return list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  } catch {
    return false; // an address BlockList cannot read (a zone suffix) is nobody's edge
  }
}
