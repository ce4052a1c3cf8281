import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import pino from 'pino';
import { lazyChildLoggerFactory } from './request-logger.ts';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { logger, lines };
}

describe('lazyChildLoggerFactory', () => {
  it('logs what a request logs with its request id, as a pino child would', async () => {
    const { logger, lines } = capture('warn');
    const app = Fastify({ loggerInstance: logger, childLoggerFactory: lazyChildLoggerFactory });
    app.get('/x', async (req) => {
      req.log.info('not at warn');
      req.log.warn({ what: 'thing' }, 'at warn');
      return { ok: true };
    });
    const res = await app.inject({ url: '/x' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      lines.map((l) => [l.msg, l.what, typeof l.reqId]),
      [['at warn', 'thing', 'string']],
    );
    await app.close();
  });

  it('makes no child logger for a request that logs nothing', () => {
    const { logger } = capture('warn');
    let children = 0;
    const parent = Object.assign(Object.create(logger) as typeof logger, {
      child: (...a: Parameters<typeof logger.child>) => {
        children += 1;
        return logger.child(...a);
      },
    });
    const log = lazyChildLoggerFactory(parent, { reqId: 'r1' }, {});
    log.info('dropped');
    log.debug('dropped');
    assert.equal(children, 0);
    log.error('kept');
    log.error('kept again');
    assert.equal(children, 1);
  });

  it('keeps Fastify request logging at info (incoming request, request completed)', async () => {
    const { logger, lines } = capture('info');
    const app = Fastify({ loggerInstance: logger, childLoggerFactory: lazyChildLoggerFactory });
    app.get('/x', async () => ({ ok: true }));
    await app.inject({ url: '/x' });
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['incoming request', 'request completed'],
    );
    assert.equal(lines[0]!.reqId, lines[1]!.reqId);
    await app.close();
  });
});
