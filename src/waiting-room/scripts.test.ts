import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadWaitingRoomScript, SCRIPT_KEY_COUNT, VARIADIC_KEY_SCRIPTS, WAITING_ROOM_SCRIPTS } from './redis-store.ts';

/** The header is the script's contract: it must say how many KEYS it takes, its ARGV and its replies. */
describe('Lua script headers', () => {
  for (const name of WAITING_ROOM_SCRIPTS) {
    it(`${name}.lua declares KEYS[1..${SCRIPT_KEY_COUNT[name]}], its ARGV and its return codes`, () => {
      const lua = loadWaitingRoomScript(name);
      assert.ok(lua.startsWith(`--[[ ${name}.lua:`), 'opens with its contract');
      const header = lua.slice(0, lua.indexOf(']]'));
      const declared = [...header.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
      assert.equal(Math.max(...declared), SCRIPT_KEY_COUNT[name]);
      if (VARIADIC_KEY_SCRIPTS.has(name)) {
        const fixed = SCRIPT_KEY_COUNT[name];
        assert.ok(
          header.includes(`KEYS[${fixed + 1}..${fixed}+N]`),
          'declares its per-entry keys after the fixed ones',
        );
      }
      assert.match(header, /ARGV/);
      assert.match(header, /Returns/);
      const used = [...lua.slice(lua.indexOf(']]')).matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
      assert.ok(
        used.every((k) => k <= SCRIPT_KEY_COUNT[name]),
        'uses no undeclared key',
      );
      assert.doesNotMatch(lua.slice(lua.indexOf(']]')), /math\.random|TIME/, 'no randomness or clock inside Lua');
    });
  }
});
