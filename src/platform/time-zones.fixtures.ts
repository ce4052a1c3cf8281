/**
 * Repeats a suite under several process time zones: every clock-sensitive spec (the calendar,
 * eligibility) must give the same answers whatever `TZ` the server runs with.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

/** Process time zones every clock-sensitive spec runs under; the answers must not change. */
export const PROCESS_TIME_ZONES = ['UTC', 'Asia/Seoul', 'America/Los_Angeles'] as const;

/** Local hour each zone shows at 2021-07-20T00:00Z, proving the switch really happened. */
const HOUR_AT_PROBE: Record<(typeof PROCESS_TIME_ZONES)[number], number> = {
  UTC: 0,
  'Asia/Seoul': 9,
  'America/Los_Angeles': 17,
};

/** `describe(title)` once per process time zone, with `process.env.TZ` set for the whole suite. */
export function describeInEachProcessTimeZone(title: string, body: () => void): void {
  for (const zone of PROCESS_TIME_ZONES) {
    describe(`${title} [process TZ=${zone}]`, () => {
      let saved: string | undefined;
      before(() => {
        saved = process.env['TZ'];
        process.env['TZ'] = zone;
      });
      after(() => {
        if (saved === undefined) delete process.env['TZ'];
        else process.env['TZ'] = saved;
      });
      it('runs with the process time zone really switched', () => {
        assert.equal(new Date(Date.UTC(2021, 6, 20)).getHours(), HOUR_AT_PROBE[zone]);
      });
      body();
    });
  }
}
