import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';

// The benchmark-only switch that lets `npm run bench` show the 2021 design (no waiting room).
const base = {
  IDENTITY_HMAC_KEY: 'k'.repeat(32),
  SIGNING_SECRET: 's'.repeat(32),
  DATA_DIR: '/nonexistent-never-written',
};

describe('ADMISSION_GATE', () => {
  it('is on unless explicitly turned off', () => {
    assert.equal(loadConfig(base).admissionGate, true);
    assert.equal(loadConfig({ ...base, ADMISSION_GATE: 'on' }).admissionGate, true);
    assert.equal(loadConfig({ ...base, ADMISSION_GATE: 'off' }).admissionGate, false);
  });
  it('refuses anything but on or off, so a typo can never open the back door', () => {
    assert.throws(
      () => loadConfig({ ...base, ADMISSION_GATE: 'false' }),
      (e: unknown) => e instanceof ConfigError && /ADMISSION_GATE/.test(e.message),
    );
  });
});
