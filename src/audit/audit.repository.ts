/** The audit trail over Kysely: append and read only (the table refuses UPDATE and DELETE itself). */
import { sql } from 'kysely';
import type { Db } from '../platform/db.ts';
import type {
  AuditEntry,
  AuditEntryInput,
  AuditFilter,
  AuditStore,
  BookingTrace,
  UnaccountedBooking,
} from './audit.ts';

const MAX_LIMIT = 500;
const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
const ms = (d: Date | string | null) => (d === null ? null : new Date(d).getTime());

interface EntryRow {
  id: number;
  at: Date;
  actor_kind: AuditEntry['actorKind'];
  actor: string;
  action: string;
  campaign_id: string | null;
  target: string | null;
  before: unknown;
  after: unknown;
  detail: unknown;
}
const entryOf = (r: EntryRow): AuditEntry => ({
  id: r.id,
  atMs: new Date(r.at).getTime(),
  actorKind: r.actor_kind,
  actor: r.actor,
  action: r.action,
  campaignId: r.campaign_id,
  target: r.target,
  before: r.before,
  after: r.after,
  detail: r.detail,
});

export async function appendAuditEntry(db: Db, e: AuditEntryInput, atMs: number): Promise<AuditEntry> {
  const row = await db
    .insertInto('audit_log')
    .values({
      at: new Date(atMs),
      actor_kind: e.actor.kind,
      actor: e.actor.name,
      action: e.action,
      campaign_id: e.campaignId ?? null,
      target: e.target ?? null,
      before: json(e.before),
      after: json(e.after),
      detail: json(e.detail),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return entryOf(row);
}

export async function listAuditEntries(db: Db, f: AuditFilter): Promise<AuditEntry[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (f.campaignId) q = q.where('campaign_id', '=', f.campaignId);
  if (f.actor) q = q.where('actor', '=', f.actor);
  if (f.action) q = q.where('action', '=', f.action);
  if (f.target) q = q.where('target', '=', f.target);
  if (f.fromMs !== undefined) q = q.where('at', '>=', new Date(f.fromMs));
  if (f.toMs !== undefined) q = q.where('at', '<', new Date(f.toMs));
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  const rows = await q
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(Math.min(f.limit ?? 100, MAX_LIMIT))
    .execute();
  return rows.map(entryOf);
}

/** The booking, its requester's identity hash and the admission it names (if recorded). */
function bookingWithAdmission(db: Db) {
  return db
    .selectFrom('bookings')
    .innerJoin('people as requester', 'requester.id', 'bookings.requested_by_id')
    .leftJoin('admissions', 'admissions.admission_id', 'bookings.admission_id')
    .leftJoin('agent_admissions as agent', 'agent.admission_id', 'bookings.admission_id')
    .select([
      'agent.admission_id as agent_admission',
      'agent.agent as agent_name',
      'agent.campaign_id as agent_campaign',
      'agent.identity_hash as agent_identity',
      'agent.verification_provider as agent_provider',
      'agent.verified_at as agent_verified_at',
      'agent.admitted_at as agent_admitted_at',
      'agent.expires_at as agent_expires_at',
      'bookings.booking_number',
      'bookings.campaign_id',
      'bookings.campaign_version',
      'bookings.status',
      'bookings.created_at',
      'bookings.cancelled_at',
      'bookings.person_id',
      'bookings.requested_by_id',
      'bookings.admission_id',
      'requester.identity_hash as requester_hash',
      'admissions.admission_id as recorded_admission',
      'admissions.campaign_id as admission_campaign',
      'admissions.identity_hash as admission_identity',
      'admissions.device_tag',
      'admissions.queue_seq',
      'admissions.pre_room',
      'admissions.ticket_issued_at',
      'admissions.admitted_at',
      'admissions.expires_at',
      'admissions.verification_provider',
      'admissions.verified_at',
    ]);
}
type Joined = Awaited<ReturnType<ReturnType<typeof bookingWithAdmission>['execute']>>[number];

/** A booking is accounted for by the queue admission it names, or by the agent's phone-lane admission it names. */
function unaccountedReason(r: Joined): UnaccountedBooking['reason'] | null {
  if (r.admission_id === null) return 'no-admission-id';
  const campaign = r.recorded_admission !== null ? r.admission_campaign : r.agent_campaign;
  const identity = r.recorded_admission !== null ? r.admission_identity : r.agent_identity;
  if (r.recorded_admission === null && r.agent_admission === null) return 'admission-not-recorded';
  if (campaign !== r.campaign_id) return 'admission-of-another-campaign';
  if (identity !== r.requester_hash) return 'admission-of-another-identity';
  return null;
}

export async function traceBooking(db: Db, bookingNumber: string): Promise<BookingTrace | undefined> {
  const r = await bookingWithAdmission(db).where('bookings.booking_number', '=', bookingNumber).executeTakeFirst();
  if (!r) return undefined;
  const entries = await listAuditEntries(db, { target: bookingNumber, limit: 50 });
  return {
    bookingNumber: r.booking_number,
    campaignId: r.campaign_id,
    campaignVersion: r.campaign_version,
    status: r.status,
    createdAtMs: ms(r.created_at)!,
    cancelledAtMs: ms(r.cancelled_at),
    isProxy: r.person_id !== r.requested_by_id,
    admissionId: r.admission_id,
    admission:
      r.recorded_admission === null
        ? null
        : {
            queueSeq: r.queue_seq,
            preRoom: r.pre_room!,
            ticketIssuedAtMs: ms(r.ticket_issued_at),
            admittedAtMs: ms(r.admitted_at)!,
            expiresAtMs: ms(r.expires_at)!,
            deviceTag: r.device_tag!,
            verificationProvider: r.verification_provider,
            verifiedAtMs: ms(r.verified_at),
            matchesRequester: unaccountedReason(r) === null,
          },
    agentAdmission:
      r.agent_admission === null
        ? null
        : {
            lane: 'agent',
            agent: r.agent_name!,
            admittedAtMs: ms(r.agent_admitted_at)!,
            expiresAtMs: ms(r.agent_expires_at)!,
            verificationProvider: r.agent_provider!,
            verifiedAtMs: ms(r.agent_verified_at)!,
            matchesRequester: unaccountedReason(r) === null,
          },
    entries,
  };
}

export async function unaccountedBookings(db: Db, campaignId: string): Promise<UnaccountedBooking[]> {
  const rows = await bookingWithAdmission(db)
    .where('bookings.campaign_id', '=', campaignId)
    .where('bookings.status', '=', 'active')
    .orderBy('bookings.created_at')
    .execute();
  return rows.flatMap((r) => {
    const reason = unaccountedReason(r);
    return reason
      ? [
          {
            bookingNumber: r.booking_number,
            campaignId: r.campaign_id,
            createdAtMs: ms(r.created_at)!,
            admissionId: r.admission_id,
            reason,
          },
        ]
      : [];
  });
}

export async function countActiveBookings(db: Db, campaignId: string): Promise<number> {
  const r = await db
    .selectFrom('bookings')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'active')
    .executeTakeFirstOrThrow();
  return r.n;
}

/** The audit store the service receives (audit.ts `AuditStore`), over Kysely. */
export function createAuditRepository(db: Db): AuditStore {
  return {
    append: (entry, atMs) => appendAuditEntry(db, entry, atMs),
    list: (filter) => listAuditEntries(db, filter),
    traceBooking: (n) => traceBooking(db, n),
    unaccountedBookings: (id) => unaccountedBookings(db, id),
  };
}
