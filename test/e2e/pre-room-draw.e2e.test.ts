/**
 * Issue 11, abuses 5 and 6 over HTTP: the pre-room draw is fixed per identity and checkable by
 * anyone (`npm run draw:verify`), and a copied ticket cannot remove its owner from the queue.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fixedClock } from '../../src/platform/clock.ts';
import { makeRrn } from '../../src/people/rrn.ts';
import { identityHashOf } from '../../src/identity/identity-hash.ts';
import { insertPeople } from '../../src/people/people.repository.ts';
import { insertCampaignVersion, setLiveVersion } from '../../src/campaigns/campaign.repository.ts';
import { demoCampaign } from '../../src/eligibility/seed-campaigns.ts';
import { pgliteForTest, type TestDatabase } from '../support/databases.ts';
import { testApp, testConfig } from '../support/services.ts';
import { joinQueue, poll, verifyAs, type Citizen } from '../support/queue.ts';
import { verifyDraw, type Get } from '../../tools/draw-verify/verify.ts';

const NOW = Date.parse('2026-03-02T03:00:00Z');
const OPENS = NOW + 600_000;
const N = 40;

describe('pre-room draw over HTTP', () => {
  let tdb: TestDatabase;
  let ctx: Awaited<ReturnType<typeof testApp>>;
  const clock = fixedClock(NOW);
  const rrns = Array.from({ length: N }, (_, i) => makeRrn('1968-05-05', i % 2 ? 'M' : 'F', 100 + i));
  const nameOf = (i: number) => `사람${i}`;
  const citizens: Citizen[] = [];
  const get: Get = async (path) => {
    const r = await ctx.app.inject({ url: path });
    return { status: r.statusCode, body: r.json() };
  };

  before(async () => {
    tdb = await pgliteForTest();
    const key = testConfig().identityHmacKey;
    await insertPeople(
      tdb.db,
      rrns.map((rrn, i) => ({
        identity_hash: identityHashOf(key, rrn.replace('-', '')),
        birth_date: '1968-05-05',
        name: nameOf(i),
        phone: '010-0000-0000',
        region_code: 'KR-11',
      })),
    );
    const rules = demoCampaign(NOW, { opensInMs: OPENS - NOW });
    await insertCampaignVersion(tdb.db, rules.id, 1, rules, 'test');
    await setLiveVersion(tdb.db, rules.id, 1);
    ctx = await testApp(tdb, clock);
    for (let i = 0; i < N; i += 1) {
      clock.advance(1_000);
      citizens.push(
        await joinQueue(
          ctx.app,
          'demo',
          await verifyAs(ctx.app, rrns[i]!, nameOf(i)),
          `device-draw-${String(i).padStart(3, '0')}`,
        ),
      );
    }
  });
  after(async () => {
    await ctx.app.close();
    await tdb.close();
  });

  it('publishes only the commitment before the opening', async () => {
    const draw = await get('/api/campaigns/demo/queue/draw');
    assert.equal(draw.status, 200);
    assert.match((draw.body as { commitment: string }).commitment, /^[0-9a-f]{64}$/);
    assert.equal((draw.body as { seed: unknown }).seed, null);
    const order = await get('/api/campaigns/demo/queue/draw/order?partition=0');
    assert.equal(order.status, 403);
    assert.equal((order.body as { code: string }).code, 'draw-not-revealed');
    assert.equal((await verifyDraw(get, 'demo')).isVerified, false);
  });

  it('refuses a copied ticket and device cookie used from another session to leave for its owner', async () => {
    const [owner, thief] = [citizens[0]!, citizens[1]!];
    const copied = await ctx.app.inject({
      method: 'DELETE',
      url: '/api/campaigns/demo/queue',
      headers: { ...thief.auth, cookie: owner.cookie, 'x-queue-ticket': owner.ticket },
    });
    assert.equal(copied.statusCode, 403);
    assert.equal(copied.json().code, 'queue-ticket-invalid');
    // An unsigned cookie naming the owner's device is not the owner's device either.
    const device = decodeURIComponent(owner.cookie.split('=')[1]!).split('.')[0];
    const forged = await ctx.app.inject({
      method: 'DELETE',
      url: '/api/campaigns/demo/queue',
      headers: { ...owner.auth, cookie: `yeyak_dev=${device}`, 'x-queue-ticket': owner.ticket },
    });
    assert.notEqual(forged.statusCode, 200);
    assert.equal((await poll(ctx.app, 'demo', owner)).json().state, 'pre-opening', 'the owner still holds the place');
  });

  it('gives a person who leaves and rejoins before the opening the same place in the draw', async () => {
    const c = citizens[2]!;
    const left = await ctx.app.inject({
      method: 'DELETE',
      url: '/api/campaigns/demo/queue',
      headers: { ...c.auth, cookie: c.cookie, 'x-queue-ticket': c.ticket },
    });
    assert.equal(left.statusCode, 200, left.body);
    citizens[2] = await joinQueue(ctx.app, 'demo', c.auth, 'device-draw-002');
  });

  it('lets anyone recompute the real order after the opening (draw:verify)', async () => {
    clock.set(OPENS + 1);
    await ctx.services.waitingRoom.service.refreshSnapshot('demo');
    const positions: number[] = [];
    for (const c of citizens) {
      const s = (await poll(ctx.app, 'demo', c)).json();
      assert.equal(s.state, 'waiting', JSON.stringify(s));
      assert.equal(s.isEstimate, false);
      positions.push(s.position as number);
    }
    const verdict = await verifyDraw(get, 'demo', { ticket: citizens[2]!.ticket });
    assert.deepEqual(verdict.problems, []);
    assert.equal(verdict.isVerified, true);
    assert.equal(verdict.people, N);
    assert.equal(verdict.holder?.place, positions[2], 'the rejoiner is where the draw puts them');
    // Every citizen's real place is the place the recomputed order gives their ticket id.
    for (const [i, c] of citizens.entries()) {
      const mine = await verifyDraw(get, 'demo', { ticket: c.ticket });
      assert.equal(mine.holder?.place, positions[i], `citizen ${i}`);
    }
  });

  it('detects a published order that is not the draw (the check can fail)', async () => {
    const swapped: Get = async (path) => {
      const r = await get(path);
      if (!path.includes('/draw/order')) return r;
      const ids = [...(r.body as { ticketIds: string[] }).ticketIds];
      [ids[0], ids[5]] = [ids[5]!, ids[0]!];
      return { ...r, body: { ...(r.body as object), ticketIds: ids } };
    };
    const verdict = await verifyDraw(swapped, 'demo');
    assert.equal(verdict.isVerified, false);
    assert.match(verdict.problems[0]!, /place 1/);
  });

  it('runs as a command against a listening server', async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const port = (ctx.app.server.address() as AddressInfo).port;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'tools/draw-verify/cli.ts', '--campaign', 'demo', '--url', `http://127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, out);
    assert.equal(JSON.parse(out).isVerified, true);
  });
});
