/**
 * The audit trail's vocabulary and ports. Every operator action (and later every call-centre agent
 * action, actor kind 'agent') is one append-only entry: who, when, what, on which campaign or
 * booking, the state before and after. Nothing here is personal data: operators by user name,
 * bookings by booking number, people only by keyed hashes that cannot be reversed.
 */

export type ActorKind = 'operator' | 'agent' | 'system';

/** Every action the trail knows. An agent's booking for a caller is 'agent-booking' (issue 15, item 4). */
export const AUDIT_ACTIONS = [
  'login',
  'logout',
  'login-failed',
  'campaign-save',
  'campaign-approve',
  'campaign-publish',
  'campaign-withdraw',
  'admission-pause',
  'admission-resume',
  'admission-pin',
  'admission-unpin',
  'admission-settings',
  'message',
  'agent-booking',
  'agent-verify',
  'agent-verify-failed',
  'agent-admission',
  'agent-change',
  'agent-cancel',
  'agent-lane-quota',
  'agent-reference-lookup',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface Actor {
  readonly kind: ActorKind;
  readonly name: string;
}

export interface AuditEntryInput {
  readonly actor: Actor;
  readonly action: AuditAction;
  readonly campaignId?: string | null;
  /** What the action was on: `campaign:<id>@v<n>`, a booking number, an account name. */
  readonly target?: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly detail?: Record<string, unknown>;
}

export interface AuditEntry {
  readonly id: number;
  readonly atMs: number;
  readonly actorKind: ActorKind;
  readonly actor: string;
  readonly action: string;
  readonly campaignId: string | null;
  readonly target: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly detail: unknown;
}

export interface AuditFilter {
  readonly campaignId?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly target?: string;
  /** Inclusive lower and exclusive upper bound, epoch ms. */
  readonly fromMs?: number;
  readonly toMs?: number;
  /** Newest first; at most this many (the store caps it at 500). */
  readonly limit?: number;
  /** Only entries older than this id (the next page). */
  readonly beforeId?: number;
}

/** How a booking came to exist: the admission it consumed, as the waiting room recorded it. */
export interface BookingTrace {
  readonly bookingNumber: string;
  readonly campaignId: string;
  readonly campaignVersion: number;
  readonly status: 'active' | 'cancelled';
  readonly createdAtMs: number;
  readonly cancelledAtMs: number | null;
  /** Booked for someone other than the verified requester (where the campaign allows it). */
  readonly isProxy: boolean;
  readonly admissionId: string | null;
  readonly admission: {
    readonly queueSeq: number | null;
    readonly preRoom: boolean;
    readonly ticketIssuedAtMs: number | null;
    readonly admittedAtMs: number;
    readonly expiresAtMs: number;
    readonly deviceTag: string;
    readonly verificationProvider: string | null;
    readonly verifiedAtMs: number | null;
    /** The admission was issued to the identity that made the booking request, for this campaign. */
    readonly matchesRequester: boolean;
  } | null;
  /**
   * The phone-lane admission an agent's booking consumed (issue 15 item 4) instead of a queue
   * admission: which agent admitted the caller, when, and how the caller was verified.
   */
  readonly agentAdmission: {
    readonly lane: 'agent';
    readonly agent: string;
    readonly admittedAtMs: number;
    readonly expiresAtMs: number;
    readonly verificationProvider: string;
    readonly verifiedAtMs: number;
    /** The lane admission was issued to the identity that made the booking request, for this campaign. */
    readonly matchesRequester: boolean;
  } | null;
  /** Audit entries naming this booking (an agent's booking, change or cancel, for one). */
  readonly entries: AuditEntry[];
}

/** An active booking that no recorded admission (queue or phone lane) accounts for. */
export interface UnaccountedBooking {
  readonly bookingNumber: string;
  readonly campaignId: string;
  readonly createdAtMs: number;
  readonly admissionId: string | null;
  readonly reason:
    'no-admission-id' | 'admission-not-recorded' | 'admission-of-another-identity' | 'admission-of-another-campaign';
}

/** Where the trail is kept (audit.repository.ts over Kysely). Append and read only: no update, no delete. */
export interface AuditStore {
  append(entry: AuditEntryInput, atMs: number): Promise<AuditEntry>;
  list(filter: AuditFilter): Promise<AuditEntry[]>;
  traceBooking(bookingNumber: string): Promise<BookingTrace | undefined>;
  /** Active bookings of `campaignId` without a matching queue admission or agent (phone-lane) admission. */
  unaccountedBookings(campaignId: string): Promise<UnaccountedBooking[]>;
}
