import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listScenarios, loadScenario, validateScenario, type Scenario } from './scenario.ts';
import { compressTime } from './scenario-time.ts';

const problemsOf = (input: unknown) => {
  const r = validateScenario(input);
  return r.ok ? [] : (r.detail?.problems as { path: string; message: string }[]);
};
const base = (): Scenario => structuredClone(loadScenario('2021-07-19'));

describe('scenarios as data', () => {
  it('accepts every scenario in data/scenarios, including the three the issue asks for', () => {
    const ids = listScenarios();
    for (const id of ['2021-07-19', '2021-08-09', 'bot-heavy']) assert.ok(ids.includes(id), id);
    for (const id of ids) assert.equal(loadScenario(id).id, id);
  });

  it('lists every schema problem at once, each with its path', () => {
    const s = base() as unknown as Record<string, any>;
    s.cohort.showUpShare = 1.5;
    s.supply.facilities = 0;
    delete s.seed;
    s.extra = true;
    const paths = problemsOf(s).map((p) => p.path);
    for (const p of ['/cohort/showUpShare', '/supply/facilities', '/seed'])
      assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    assert.ok(
      paths.some((p) => p.startsWith('/extra')),
      'unknown property reported',
    );
  });

  it('refuses scenarios that make no sense, listing each', () => {
    const s = base();
    s.proxies.bornFrom = '1968-01-01';
    s.arrivals.curve = [
      { fromMinutes: 10, toMinutes: 5, weight: 1 },
      { fromMinutes: 0, toMinutes: 999, weight: 1 },
    ];
    s.waiting.patienceMinutes = { median: 60, p90: 10 };
    (s.sources as Record<string, string>)['cohort.nonsense'] = 'a citation for a field that does not exist';
    const paths = problemsOf(s).map((p) => p.path);
    for (const p of [
      '/proxies',
      '/arrivals/curve/0/toMinutes',
      '/simulation/minutesAfterOpening',
      '/waiting/patienceMinutes/p90',
      '/sources/cohort.nonsense',
    ]) {
      assert.ok(paths.includes(p), `${p} in ${paths.join(', ')}`);
    }
  });

  it('cites domain-facts for the cohort and the recorded arrivals of 19 July', () => {
    const s = loadScenario('2021-07-19');
    assert.match(s.sources['cohort.eligible'] ?? '', /domain-facts\.md 1\.1/);
    assert.match(s.sources['arrivals.recordedTotal'] ?? '', /domain-facts\.md 1\.2/);
    assert.equal(s.cohort.eligible, 1_500_000);
    assert.equal(s.arrivals.recordedTotal, 6_000_000);
  });

  it('compresses human time and stays valid', () => {
    const s = loadScenario('2021-07-19');
    const fast = compressTime(s, 10);
    assert.equal(validateScenario(fast).ok, true);
    assert.equal(fast.simulation.minutesAfterOpening, s.simulation.minutesAfterOpening / 10);
    assert.equal(fast.arrivals.curve[0]!.fromMinutes, s.arrivals.curve[0]!.fromMinutes / 10);
    assert.equal(fast.session.thinkSeconds.book.median, s.session.thinkSeconds.book.median / 10);
    assert.equal(fast.bots.pollEveryMs, s.bots.pollEveryMs, "the service limit is not the scenario's to compress");
    assert.throws(() => compressTime(s, 0.5), RangeError);
  });
});
