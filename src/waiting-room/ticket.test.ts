import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveKey } from '../platform/signing.ts';
import { placeKey, signQueueTicket, verifyQueueTicket, type QueueTicket } from './ticket.ts';

const key = deriveKey('s'.repeat(40), 'queue-ticket');
const NOW = 1_700_000_000_000;
const ticket: QueueTicket = {
  campaignId: 'c1',
  identityHash: 'id-1',
  deviceId: 'dev-1',
  partition: 0,
  seq: 42,
  preScore: null,
  issuedAtMs: NOW,
};
const expect = { campaignId: 'c1', nowMs: NOW + 1_000, maxAgeMs: 3_600_000 };
const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : r.reason);

function retouch(token: string, change: (payload: Record<string, unknown>) => void): string {
  const [body, sig] = token.split('.') as [string, string];
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  change(payload);
  return `${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${sig}`;
}

describe('queue ticket', () => {
  it('verifies a ticket it signed and returns its fields', () => {
    assert.deepEqual(verifyQueueTicket(signQueueTicket(ticket, key), key, expect), { ok: true, value: ticket });
  });

  it('round-trips the optional fields, in the payload written field by field in a fixed order', () => {
    const hidden: QueueTicket = { ...ticket, seq: null, preScore: null, isScoreHidden: true, startCursor: 0 };
    const withCursor: QueueTicket = { ...ticket, startCursor: 7 };
    for (const t of [hidden, withCursor])
      assert.deepEqual(verifyQueueTicket(signQueueTicket(t, key), key, expect), { ok: true, value: t });
    const payloadOf = (token: string) => Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8');
    assert.equal(
      payloadOf(signQueueTicket(hidden, key)),
      `{"v":1,"c":"c1","i":"id-1","d":"dev-1","p":0,"s":null,"r":null,"t":${NOW},"h":1,"k":0}`,
    );
  });

  it('refuses a ticket signed with another key (forged)', () => {
    const forged = signQueueTicket(ticket, deriveKey('x'.repeat(40), 'queue-ticket'));
    assert.equal(reason(verifyQueueTicket(forged, key, expect)), 'bad-signature');
  });

  it('refuses a ticket whose seq was edited to jump ahead (tampered)', () => {
    const tampered = retouch(signQueueTicket(ticket, key), (p) => {
      p.s = 1;
    });
    assert.equal(reason(verifyQueueTicket(tampered, key, expect)), 'bad-signature');
  });

  it('refuses a ticket for another campaign', () => {
    const other = signQueueTicket({ ...ticket, campaignId: 'c2' }, key);
    assert.equal(reason(verifyQueueTicket(other, key, expect)), 'other-campaign');
  });

  it('refuses a ticket older than its maximum age by server time', () => {
    const t = signQueueTicket(ticket, key);
    assert.equal(reason(verifyQueueTicket(t, key, { ...expect, nowMs: NOW + 3_600_001 })), 'expired');
    assert.equal(reason(verifyQueueTicket(t, key, { ...expect, nowMs: NOW + 3_600_000 })), 'ok');
  });

  it('refuses garbage, empty parts and a signed payload without a place', () => {
    for (const bad of ['', 'abc', 'a.b.c', '.x', 'x.'])
      assert.equal(reason(verifyQueueTicket(bad, key, expect)), 'malformed', bad);
    const noPlace = signQueueTicket({ ...ticket, seq: null, preScore: null }, key);
    assert.equal(reason(verifyQueueTicket(noPlace, key, expect)), 'malformed');
  });

  it('keys a place by its pre-room score when it has one, so it survives re-ranking', () => {
    assert.equal(placeKey({ seq: 7, preScore: 123 }), 'r123');
    assert.equal(placeKey({ seq: 7, preScore: null }), 's7');
  });

  it('derives different keys for different purposes', () => {
    assert.notDeepEqual(deriveKey('s'.repeat(40), 'admission'), key);
  });
});
