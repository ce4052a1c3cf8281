import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { Redis } from 'ioredis';
import { REDIS_URL, deletePrefix, redisSkipReason, uniquePrefix } from '../../../test/support/redis.ts';
import { rateLimitNamespace } from '../../waiting-room/keys.ts';
import { batchFor, limitBy, registerLimits } from './rate-limits.ts';

describe('limitBy over Redis', async () => {
  const skip = await redisSkipReason();
  const prefix = uniquePrefix();
  let redis: Redis;
  before(() => {
    if (!skip) redis = new Redis(REDIS_URL);
  });
  after(async () => {
    if (!skip) {
      redis.disconnect();
      await deletePrefix(REDIS_URL, prefix);
    }
  });

  it(
    'counts per name and id under the namespace, refuses past the allowance with a 429 problem and Retry-After',
    { skip: skip ?? false },
    async () => {
      const app = Fastify();
      await app.register(async (scope) => {
        await registerLimits(scope, { redis, nameSpace: rateLimitNamespace(prefix) });
        const twice = limitBy(scope, 'join', 2, (req) => String(req.headers['x-who']));
        scope.get('/x', { onRequest: twice }, async () => ({ ok: true }));
      });
      const send = (who: string) => app.inject({ url: '/x', headers: { 'x-who': who } });
      const statuses = [(await send('a')).statusCode, (await send('a')).statusCode, (await send('b')).statusCode];
      const refused = await send('a');
      assert.deepEqual(statuses, [200, 200, 200]);
      assert.equal(refused.statusCode, 429);
      assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
      assert.equal(refused.json().code, 'too-many-requests');
      assert.ok(Number(refused.headers['retry-after']) > 0);
      const keys = (await redis.keys(`${rateLimitNamespace(prefix)}*`)).sort();
      assert.deepEqual(keys, [`${rateLimitNamespace(prefix)}join:a`, `${rateLimitNamespace(prefix)}join:b`]);
      await app.close();
    },
  );

  it(
    'tells Redis about a key of a large allowance only once a process has seen it a batch of times',
    { skip: skip ?? false },
    async () => {
      const app = Fastify();
      const nameSpace = rateLimitNamespace(`${prefix}b`);
      await app.register(async (scope) => {
        await registerLimits(scope, { redis, nameSpace });
        const perAddress = limitBy(scope, 'ip', 6_000, (req) => String(req.headers['x-who']));
        scope.get('/x', { onRequest: perAddress }, async () => ({ ok: true }));
      });
      const send = (who: string) => app.inject({ url: '/x', headers: { 'x-who': who } });
      assert.equal((await send('once')).statusCode, 200);
      for (let i = 0; i < batchFor(6_000); i += 1) assert.equal((await send('often')).statusCode, 200);
      await new Promise((r) => setTimeout(r, 50));
      const keys = await redis.keys(`${nameSpace}*`);
      assert.equal(keys.length, 1, `keys: ${keys.join(', ')}`);
      assert.match(keys[0]!, new RegExp(`^${nameSpace}ip:often:\\d+$`));
      assert.equal(await redis.get(keys[0]!), String(batchFor(6_000)));
      assert.ok((await redis.pttl(keys[0]!)) > 0, 'the window counter expires');
      await app.close();
    },
  );
});
