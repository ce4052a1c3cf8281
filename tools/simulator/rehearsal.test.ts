import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Recorder } from './recorder.ts';
import { isTurnoverCurve } from '../../src/waiting-room/admission-settings.ts';
import { capacityPlanFor } from './planned-rate.ts';
import { LEVEL_FROM_MINUTE, measureRehearsal, planFromRehearsal } from './rehearsal.ts';
import { loadScenario } from './scenario.ts';

const OPENS_S = 600;

/**
 * A night on a machine slower than its plan, as a plant: sessions last 80 s; the controller admits
 * up to 300/s while the session limit has room; the limit starts at 12,000 and is cut to 10,000 at
 * T+60 s (the path was slow). People wait throughout. Returns the recorder and the people admitted
 * in each second after the opening.
 */
function slowNight(): { rec: Recorder; admittedAt: number[] } {
  const rec = new Recorder(0, 1_000);
  const admittedAt: number[] = [];
  let active = 0;
  for (let s = 0; s < OPENS_S + 180; s += 1) {
    const after = s - OPENS_S;
    const limit = after >= 60 ? 10_000 : 12_000;
    let advanced = 0;
    if (after >= 0) {
      const ended = after >= 80 ? admittedAt[after - 80]! : 0;
      active -= ended;
      advanced = Math.max(0, Math.min(300, limit - active));
      active += advanced;
      admittedAt[after] = advanced;
    }
    rec.count('advanced', s * 1000, advanced);
    rec.gauge('waiting', s * 1000, after < 0 ? 0 : 200_000);
    rec.gauge('activeSessions', s * 1000, active);
    rec.gauge('sessionLimit', s * 1000, limit);
  }
  return { rec, admittedAt };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('measureRehearsal', () => {
  it("enters the limit held at the end and the cursor's movement per minute once the sessions filled", () => {
    const { rec, admittedAt } = slowNight();
    const plan = measureRehearsal(rec, OPENS_S * 1000, 3);
    assert.ok(plan);
    assert.equal(plan.sessionCap, 10_000);
    // The sessions filled (12,000) at T+39 s and stopped growing at T+40 s; from then nobody was let
    // in until sessions ended (from T+80 s) and the cut to 10,000 had been worked off.
    const heldFrom = 40;
    assert.equal(
      admittedAt.slice(0, heldFrom).reduce((a, b) => a + b, 0),
      12_000,
    );
    // Minute 0 after it (T+40-59 s) moved nobody: it takes minute 1's rate.
    assert.equal(plan.turnoverPerSec[0], plan.turnoverPerSec[1]);
    assert.equal(plan.turnoverPerSec[1], Number(mean(admittedAt.slice(60, 120)).toPrecision(3)));
    assert.equal(plan.turnoverPerSec[2], Number(mean(admittedAt.slice(120, 180)).toPrecision(3)));
    const measured = admittedAt.slice(heldFrom, 180);
    assert.equal(plan.heldSeconds, measured.length);
    assert.equal(plan.ratePerSec, Number(mean(measured).toPrecision(3)));
    // Never the fill's 300/s: a rate the machine kept up only until the sessions filled.
    assert.ok(plan.ratePerSec < 200, String(plan.ratePerSec));
  });

  it('enters what the machine held when the rate, not the limit, kept the sessions down', () => {
    // The limit stays at the scenario's 100,000; the controller admits 100/s; sessions last 80 s, so
    // 8,000 are in session from T+80 s on, with 300,000 waiting.
    const rec = new Recorder(0, 1_000);
    let active = 0;
    for (let s = 0; s < 600 + 300; s += 1) {
      const after = s - 600;
      const advanced = after >= 0 ? 100 : 0;
      if (after >= 80) active -= 100;
      active += advanced;
      rec.count('advanced', s * 1000, advanced);
      rec.gauge('waiting', s * 1000, after < 0 ? 0 : 300_000);
      rec.gauge('activeSessions', s * 1000, active);
      rec.gauge('sessionLimit', s * 1000, 100_000);
    }
    const plan = measureRehearsal(rec, OPENS_S * 1000, 5);
    assert.ok(plan);
    assert.equal(plan.sessionCap, 8_000, 'the sessions the machine held, not the limit it never reached');
    assert.deepEqual(plan.turnoverPerSec, [100, 100, 100, 100, 100]);
    assert.equal(plan.ratePerSec, 100);
  });

  it('plans nothing when the queue held nobody back (the machine took everyone)', () => {
    const rec = new Recorder(0, 1_000);
    for (let s = 600; s < 780; s += 1) {
      rec.count('advanced', s * 1000, 5);
      rec.gauge('waiting', s * 1000, 3);
      rec.gauge('activeSessions', s * 1000, 400);
      rec.gauge('sessionLimit', s * 1000, 10_000);
    }
    assert.equal(measureRehearsal(rec, 600_000, 3), null);
  });
});

describe('planFromRehearsal', () => {
  const scenario = loadScenario('2021-07-19');

  it('re-makes the capacity plan at the session cap found and brings it to the level measured after ten minutes', () => {
    const model = capacityPlanFor(scenario, 1, { activeSessionCap: 10_000 })!;
    const curve = model.admission.turnoverCurvePerSec;
    // A machine that turned sessions over 30 % faster than the model once admissions could expire.
    const measured = { minutes: 15, sessionCap: 10_000, heldSeconds: 850, ratePerSec: 1 };
    const turnover = curve.slice(0, 15).map((r, i) => r * (i < LEVEL_FROM_MINUTE ? 2 : 1.3));
    const p = planFromRehearsal({ ...measured, turnoverPerSec: turnover }, scenario, 1, 100_000);
    assert.equal(p.activeSessionCap, 10_000);
    assert.equal(p.activeSessionFloor, 10_000, "the rehearsal's own floor, 10 % of the scenario's 100,000");
    assert.ok(Math.abs(p.levelFactor - 1.3) < 0.01, `the first ten minutes do not count: ${p.levelFactor}`);
    assert.equal(p.rate.source, 'rehearsal');
    assert.equal(p.rate.turnoverPerSec.length, curve.length, "the model's whole night, not the rehearsal's minutes");
    assert.ok(Math.abs(p.rate.ratePerSec / model.admission.openingRatePerSec - 1.3) < 0.01);
    assert.ok(isTurnoverCurve(p.rate.turnoverPerSec), 'a curve the waiting room takes');
  });

  it('sets only the cap after a rehearsal shorter than an admission can last', () => {
    const model = capacityPlanFor(scenario, 1, { activeSessionCap: 6_000 })!;
    // At half scale on 2026-12-01 five minutes read 1.67 x the model, and the night ran near the model.
    const fast = model.admission.turnoverCurvePerSec.slice(0, 5).map((r) => r * 1.67);
    const p = planFromRehearsal(
      { minutes: 5, sessionCap: 6_000, heldSeconds: 100, ratePerSec: 139, turnoverPerSec: fast },
      scenario,
      1,
      100_000,
    );
    assert.equal(p.levelFactor, 1);
    assert.equal(p.rate.ratePerSec, model.admission.openingRatePerSec);
    assert.deepEqual(p.rate.turnoverPerSec, model.admission.turnoverCurvePerSec);
    assert.equal(p.activeSessionCap, 6_000);
  });

  it("enters a smaller floor than the cap when the rehearsal never cut the limit, and never a cap above the scenario's", () => {
    const p = planFromRehearsal(
      { minutes: 5, sessionCap: 2_000, heldSeconds: 250, ratePerSec: 30, turnoverPerSec: [30, 30, 29, 28, 27] },
      scenario,
      0.02,
      2_000,
    );
    assert.deepEqual([p.activeSessionCap, p.activeSessionFloor], [2_000, 200]);
  });
});
