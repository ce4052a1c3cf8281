/** Walks a verified citizen through the waiting room of an in-process app (tests drive the clock). */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';

type Injector = Pick<FastifyInstance, 'inject'>;
import type { Services } from '../../src/app/compose.ts';
import type { fixedClock } from '../../src/platform/clock.ts';

export interface Citizen {
  auth: { authorization: string };
  cookie: string;
  ticket: string;
}

export async function verifyAs(app: Injector, rrn: string, name: string) {
  const res = await app.inject({
    method: 'POST',
    url: '/api/identity/verify',
    payload: { providerId: 'pass', rrn, name },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { authorization: `Bearer ${res.json().sessionToken as string}` };
}

export async function joinQueue(
  app: Injector,
  campaignId: string,
  auth: { authorization: string },
  deviceId: string,
): Promise<Citizen> {
  const res = await app.inject({
    method: 'POST',
    url: `/api/campaigns/${campaignId}/queue`,
    headers: auth,
    payload: { deviceId },
  });
  assert.equal(res.statusCode, 200, res.body);
  const dev = res.cookies.find((c) => c.name === 'yeyak_dev');
  assert.ok(dev, 'join sets the device cookie');
  assert.deepEqual(
    { path: dev.path, httpOnly: dev.httpOnly, sameSite: dev.sameSite, maxAge: dev.maxAge },
    { path: '/', httpOnly: true, sameSite: 'Strict', maxAge: 7 * 24 * 3600 },
    'a week, the whole site, never read by scripts nor sent by other sites',
  );
  assert.match(dev.value, /^[A-Za-z0-9_-]+\.[A-Za-z0-9+/]+$/, 'the device id and its signature');
  return { auth, cookie: `yeyak_dev=${dev.value}`, ticket: res.json().ticket };
}

export async function poll(app: Injector, campaignId: string, c: Citizen) {
  return app.inject({
    url: `/api/campaigns/${campaignId}/queue/status`,
    headers: { ...c.auth, cookie: c.cookie, 'x-queue-ticket': c.ticket },
  });
}

/** Lets the admission loop run `seconds` of virtual time (one tick and refresh per second). */
export async function runAdmission(
  services: Services,
  clock: ReturnType<typeof fixedClock>,
  campaignId: string,
  seconds: number,
) {
  for (let i = 0; i < seconds; i++) {
    clock.advance(1_000);
    await services.waitingRoom.service.tick(campaignId, services.monitor.health());
    await services.waitingRoom.service.refreshSnapshot(campaignId);
  }
}

/** Joins, lets the loop admit, and returns the headers an admitted citizen sends to booking routes. */
export async function admitted(
  app: Injector,
  services: Services,
  clock: ReturnType<typeof fixedClock>,
  campaignId: string,
  auth: { authorization: string },
  deviceId: string,
) {
  const c = await joinQueue(app, campaignId, auth, deviceId);
  await runAdmission(services, clock, campaignId, 2);
  const status = await poll(app, campaignId, c);
  assert.equal(status.json().state, 'admitted', status.body);
  return { ...c.auth, cookie: c.cookie, 'x-admission-token': status.json().admission.token as string };
}
