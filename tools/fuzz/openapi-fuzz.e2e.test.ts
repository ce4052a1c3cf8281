/**
 * The bounded run of the OpenAPI fuzzer (the long one is `npm run fuzz`): a fixed seed, a few
 * thousand generated and hostile requests against the real app over HTTP. No answer may be a 5xx,
 * every error must be a problem, and the server must be healthy afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from './openapi-fuzz.ts';
import { startFuzzWorld } from './fuzz-world.ts';

const REQUESTS = 4_000;
const SEED = 20211130;

describe('the API under the OpenAPI fuzzer', () => {
  let world: Awaited<ReturnType<typeof startFuzzWorld>>;
  before(async () => {
    world = await startFuzzWorld();
  });
  after(async () => {
    await world.close();
  });

  it(`answers ${REQUESTS} generated and hostile requests with no 5xx, every error a problem, and stays healthy`, async () => {
    const f = await runFuzz({
      origin: world.origin,
      doc: world.doc,
      credentials: world.credentials,
      requests: REQUESTS,
      seed: SEED,
    });
    assert.equal(f.requests, REQUESTS);
    assert.ok(f.sent >= REQUESTS * 0.95, `only ${f.sent} of ${REQUESTS} could be sent`);
    assert.deepEqual(f.serverErrors, [], JSON.stringify(f.statuses));
    assert.deepEqual(f.notProblem, []);
    assert.deepEqual(f.unanswered, [], 'every request is answered');
    assert.ok(f.healthyAfter, 'the server answers /healthz, /readyz and a public read after the run');
    // The requests reached the handlers, not only the validators: some succeeded, some were refused by the table.
    assert.ok((f.statuses['200'] ?? 0) > REQUESTS * 0.02, JSON.stringify(f.statuses));
    assert.ok(
      ['401', '403', '404', '409', '422'].every((s) => (f.statuses[s] ?? 0) > 0),
      JSON.stringify(f.statuses),
    );
    // The one booking the world placed is still there, with its seats counted.
    const booked = await world.db
      .selectFrom('slots')
      .select((eb) => eb.fn.sum<number>('booked').as('n'))
      .executeTakeFirstOrThrow();
    const active = await world.db
      .selectFrom('bookings')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'active')
      .executeTakeFirstOrThrow();
    assert.equal(Number(booked.n), Number(active.n) * 2, 'each active booking holds one dose-1 and one dose-2 seat');
  });
});
