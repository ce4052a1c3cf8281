/**
 * The audit trail as the rest of the service uses it: `record` an action (stamped with the
 * server's clock), read the trail with filters, trace a booking to its admission, and find the
 * active bookings that did not come through the queue.
 *
 * Recording is awaited by the action that causes it: an operator's change is answered only after
 * its entry is stored. When the change itself is already done (a pause is in memory and Redis) and
 * the entry fails to store, the failure is thrown (a 500 the operator sees) rather than hidden.
 */
import type { Clock } from '../platform/clock.ts';
import type { Actor, AuditAction, AuditEntry, AuditEntryInput, AuditFilter, AuditStore } from './audit.ts';

export * from './audit.ts';

export function createAuditService(deps: { store: AuditStore; clock: Clock }) {
  return {
    record: (entry: AuditEntryInput): Promise<AuditEntry> => deps.store.append(entry, deps.clock.nowMs()),
    list: (filter: AuditFilter) => deps.store.list(filter),
    traceBooking: (bookingNumber: string) => deps.store.traceBooking(bookingNumber),
    unaccountedBookings: (campaignId: string) => deps.store.unaccountedBookings(campaignId),
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
/** What callers that only write need (the operator routes, the review service). */
export type AuditRecorder = Pick<AuditService, 'record'>;

export const operatorActor = (username: string): Actor => ({ kind: 'operator', name: username });
export const systemActor = (name: string): Actor => ({ kind: 'system', name });
export type { AuditAction };
