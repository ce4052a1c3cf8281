import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { trustedProxies } from './trusted-proxies.ts';

describe('trustedProxies', () => {
  const trusts = trustedProxies(['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);

  it('trusts the listed addresses and CIDRs, IPv4 ones also as IPv4-mapped IPv6 peers', () => {
    for (const a of ['127.0.0.1', '::ffff:127.0.0.1', '10.1.2.3', '::ffff:10.200.0.1', '::1', 'fd00::7', '10.1.2.3']) {
      assert.equal(trusts(a, 0), true, a);
    }
  });

  it('trusts nobody else: other addresses, near misses, names and garbage', () => {
    for (const a of [
      '127.0.0.2',
      '11.0.0.1',
      '192.0.2.1',
      '::2',
      'fe80::1',
      'localhost',
      '',
      'x',
      '1.2.3.4.5',
      undefined,
    ]) {
      assert.equal(trusts(a, 0), false, String(a));
    }
  });

  it('gives request.ip the forwarded address only when the peer is a listed edge', async () => {
    const app = Fastify({ trustProxy: trustedProxies(['127.0.0.1', '10.0.0.0/8']) });
    app.get('/ip', async (req) => ({ ip: req.ip }));
    const ipFrom = async (remoteAddress: string, xff: string) =>
      (await app.inject({ url: '/ip', remoteAddress, headers: { 'x-forwarded-for': xff } })).json().ip;
    assert.equal(await ipFrom('127.0.0.1', '203.0.113.9'), '203.0.113.9');
    assert.equal(await ipFrom('::ffff:10.0.0.5', '203.0.113.9'), '203.0.113.9');
    // A client's own header, or a hop it claims beyond the edge, is not believed.
    assert.equal(await ipFrom('192.0.2.7', '203.0.113.9'), '192.0.2.7');
    assert.equal(await ipFrom('127.0.0.1', '203.0.113.9, 198.51.100.1'), '198.51.100.1');
    assert.equal(await ipFrom('127.0.0.1', '203.0.113.9, 10.9.9.9'), '203.0.113.9');
    await app.close();
  });
});
