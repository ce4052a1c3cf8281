import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli } from './cli.ts';

const NOW = '2026-01-02T03:04:05.678Z';
const parse = (...argv: string[]) => parseCli(argv, {}, NOW);

describe('npm run simulate flags', () => {
  it('prints usage for --help', () => {
    assert.deepEqual(parse('--help'), { help: true });
  });

  it('fills defaults: full mode, scale 0.01, an output folder per run under artifacts/simulate', () => {
    const r = parse('--scenario', '2021-07-19');
    assert.ok('options' in r);
    assert.equal(r.options.mode, 'full');
    assert.equal(r.options.scale, 0.01);
    assert.match(r.options.out, /artifacts\/simulate\/2021-07-19-full-2026-01-02T03-04-05-678Z$/);
    assert.equal(r.options.databaseUrl, 'postgres://postgres@127.0.0.1:5432/postgres');
    assert.equal(r.options.progress, true);
  });

  it('takes the stores from the environment unless a flag says otherwise', () => {
    const r = parseCli(
      ['--scenario', 'bot-heavy', '--mode', 'live', '--redis-url', 'redis://127.0.0.1:6380'],
      { DATABASE_URL: 'postgres://x@127.0.0.1/y' },
      NOW,
    );
    assert.ok('options' in r);
    assert.equal(r.options.scale, 0.001, 'live mode defaults to a smaller scale');
    assert.equal(r.options.databaseUrl, 'postgres://x@127.0.0.1/y');
    assert.equal(r.options.redisUrl, 'redis://127.0.0.1:6380');
  });

  it('lists every bad flag at once', () => {
    const r = parse(
      '--scenario',
      'nope',
      '--mode',
      'fast',
      '--scale',
      '0',
      '--workers',
      '1.5',
      '--redis-url',
      'http://x',
    );
    assert.ok('problems' in r);
    assert.equal(r.problems.length, 5, r.problems.join('\n'));
    assert.match(r.problems.join('\n'), /unknown 'nope'.*2021-07-19/s);
  });

  it('refuses unknown flags and stray arguments with a clear message', () => {
    const unknown = parse('--scenario', '2021-07-19', '--turbo');
    assert.ok('problems' in unknown);
    assert.match(unknown.problems[0]!, /--turbo/);
    assert.ok('problems' in parse('2021-07-19'));
    assert.ok('problems' in parse('--mode', 'full'), '--scenario is required');
  });
});

describe('--rehearse', () => {
  it('takes whole minutes in full mode, and nothing to rehearse beside a pinned rate or in live mode', () => {
    const r = parse('--scenario', '2021-07-19', '--rehearse', '5');
    assert.ok('options' in r);
    assert.equal(r.options.rehearseMinutes, 5);
    const none = parse('--scenario', '2021-07-19');
    assert.ok('options' in none);
    assert.equal(none.options.rehearseMinutes, null);
    for (const bad of [
      ['--rehearse', '0'],
      ['--rehearse', '2.5'],
      ['--rehearse', '31'],
      ['--rehearse', '5', '--admission-rate', '100'],
      ['--rehearse', '5', '--mode', 'live'],
    ]) {
      const p = parse('--scenario', '2021-07-19', ...bad);
      assert.ok('problems' in p, bad.join(' '));
      assert.match(p.problems.join('\n'), /--rehearse/);
    }
  });
});
