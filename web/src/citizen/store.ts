/**
 * What the browser keeps, and where:
 * - the identity session (token, masked name, birth date) in sessionStorage: it ends with the tab;
 * - the device id in localStorage: generated once, it identifies this browser to the waiting room;
 * - the queue ticket per campaign in localStorage, with the person it belongs to: a reload, a
 *   closed tab or a restarted phone resumes the same place;
 * - the admission per campaign in sessionStorage, sent as x-admission-token while booking.
 */
import { randomId } from '../shared/api.ts';
import type { VerifiedWire } from '../../../src/identity/identity.schemas.ts';
import type { QueueStatusWire } from '../../../src/waiting-room/waiting-room.schemas.ts';

/** What /api/identity/verify answers, kept as it came. */
export type Session = VerifiedWire;
export type Admission = NonNullable<QueueStatusWire['admission']>;

const SESSION = 'yeyak.session';
const DEVICE = 'yeyak.device';
const ticketKey = (campaignId: string) => `yeyak.ticket.${campaignId}`;
const admissionKey = (campaignId: string) => `yeyak.admission.${campaignId}`;

function read<T>(storage: Storage, key: string): T | null {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function write(storage: Storage, key: string, value: unknown): void {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the page still works until reload */
  }
}

export function loadSession(): Session | null {
  const s = read<Session>(sessionStorage, SESSION);
  if (!s || Date.parse(s.expiresAt) <= Date.now()) return null;
  return s;
}

export function saveSession(s: Session | null): void {
  write(sessionStorage, SESSION, s);
}

export function deviceId(): string {
  let id = read<string>(localStorage, DEVICE);
  if (!id) {
    id = randomId();
    write(localStorage, DEVICE, id);
  }
  return id;
}

/** A ticket is reused only by the person who took it (another person on this browser joins anew). */
export function loadTicket(campaignId: string, s: Session): string | null {
  const stored = read<{ ticket: string; person: string }>(localStorage, ticketKey(campaignId));
  return stored && stored.person === personKey(s) ? stored.ticket : null;
}

export function saveTicket(campaignId: string, s: Session, ticket: string | null): void {
  write(localStorage, ticketKey(campaignId), ticket === null ? null : { ticket, person: personKey(s) });
}

/** FNV-1a of name and birth date: tells people apart without leaving their birth date in localStorage. */
function personKey(s: Session): string {
  let h = 0x811c9dc5;
  for (const ch of `${s.person.maskedName}|${s.person.birthDate}`) {
    h ^= ch.codePointAt(0) ?? 0;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

export function loadAdmission(campaignId: string): Admission | null {
  return read<Admission>(sessionStorage, admissionKey(campaignId));
}

export function saveAdmission(campaignId: string, a: Admission | null): void {
  write(sessionStorage, admissionKey(campaignId), a);
}

/** Headers for a citizen call; with a campaign, the admission too. */
export function citizenHeaders(s: Session, campaignId?: string): Record<string, string | undefined> {
  const admission = campaignId ? loadAdmission(campaignId) : null;
  return { authorization: `Bearer ${s.sessionToken}`, 'x-admission-token': admission?.token };
}
