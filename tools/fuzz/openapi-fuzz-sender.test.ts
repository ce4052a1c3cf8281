/**
 * The fuzzer's sender keeps sending after undici refuses requests. The long run stalled near
 * request 18,500: each request undici would not put on the wire (a raw space in the path) retired
 * one connection of the undici Pool for good, and once all sixteen were gone every later request
 * waited, never sent, until abandoned. A server on 127.0.0.1 answering 200 to everything shows it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { createSender, emptyFigures, type FuzzRequest } from './openapi-fuzz.ts';

describe('the fuzzer sender', () => {
  let server: Server;
  let origin: string;
  before(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('still sends every valid request after more refused ones than it has connections', async () => {
    const refused: FuzzRequest[] = Array.from({ length: 6 }, (_, i) => ({
      method: 'GET',
      path: `/api/campaigns/ ${i}/availability`,
      headers: {},
    }));
    const valid: FuzzRequest[] = Array.from({ length: 6 }, (_, i) => ({
      method: 'GET',
      path: `/ok/${i}`,
      headers: {},
    }));
    const sender = createSender(origin, { concurrency: 2, answerTimeoutMs: 2_000 });
    const f = emptyFigures();
    try {
      await sender.send([...refused, ...valid], f);
      assert.equal(f.notSendable, refused.length, JSON.stringify(f.statuses));
      assert.deepEqual(f.unanswered, [], 'a refused request must not take a connection out of service');
      assert.equal(f.statuses['200'], valid.length, JSON.stringify(f.statuses));
      assert.ok(await sender.isHealthy(), 'the first connection still answers the health checks');
    } finally {
      await sender.close();
    }
  });
});
