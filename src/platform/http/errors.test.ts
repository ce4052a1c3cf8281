import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { createMetrics } from '../metrics.ts';
import { buildApp } from './app.ts';
import { ADMISSION_REFUSALS, PROBLEMS, QUEUE_REFUSALS, problemBody } from './errors.ts';

describe('the error table', () => {
  it('answers an unexpected error with the internal problem: 500, its message hidden', async () => {
    const app = await buildApp({
      logger: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      isReady: async () => true,
      cookieSecret: 'x'.repeat(32),
      plugins: [
        (scope) => {
          scope.get('/boom', async () => {
            throw new Error('secret detail of the failure');
          });
        },
      ],
    });
    const res = await app.inject({ method: 'GET', url: '/boom' });
    await app.close();
    assert.equal(res.statusCode, 500);
    assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    const detail = 'Something went wrong on our side. Nothing was booked by this request; please try again.';
    assert.deepEqual(res.json(), {
      type: '/problems/internal',
      code: 'internal',
      title: 'Internal error',
      status: 500,
      detail,
      messages: { ko: '일시적인 오류입니다. 이 요청으로 예약되지 않았습니다. 다시 시도해 주세요.', en: detail },
    });
    assert.doesNotMatch(res.body, /secret detail/);
  });

  it('titles a problem with its English text unless it has a title of its own', () => {
    assert.equal(problemBody('slot-full').title, PROBLEMS['slot-full'].en);
    assert.equal(problemBody('internal').title, 'Internal error');
  });

  it('maps every waiting-room refusal to a problem of the table, and an unknown reason to nothing', () => {
    for (const problem of [...Object.values(QUEUE_REFUSALS), ...Object.values(ADMISSION_REFUSALS)])
      assert.ok(problem in PROBLEMS, problem);
    const reason = 'no-such-reason' as string;
    // Indexed by a reason the table does not list, the lookup does not compile (the service's reason
    // unions are checked the same way in waiting-room.routes.ts); at run time it has no fallback.
    // @ts-expect-error: 'no-such-reason' is not a queue refusal
    assert.equal(QUEUE_REFUSALS['no-such-reason'], undefined);
    assert.equal((QUEUE_REFUSALS as Record<string, string>)[reason], undefined);
  });
});
