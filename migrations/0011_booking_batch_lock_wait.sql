-- 0011_booking_batch_lock_wait: a booking batch waits out lock_timeout at most once. Before,
-- each write of a `write_bookings_taking_seats` call waited for its locks on its own, so under a
-- table lock a batch of k bookings answered after k × lock_timeout (500 ms in production): the
-- one-turn batches (86aa308) failed the 5 s table-lock fault test's "every answer within 1 s" and
-- were reverted (635bddc). Now, once a write of the call fails with lock_not_available (55P03), the
-- writes after it run with lock_timeout = 1 ms until the call ends (SET LOCAL: the pooled
-- connection's own setting is back after the commit): a write whose rows nobody holds still goes
-- through, one that needs a held lock fails at once with 55P03 (the caller answers 503, as a lone
-- write gets after its wait; src/booking/booking.repository.ts no longer runs such a write again
-- alone, which would wait out the timeout a second time). A lock_timeout of 0 (none; PGlite, scripts)
-- never fails a write, so nothing changes there. Everything else is 0010's function as it was.
CREATE OR REPLACE FUNCTION write_bookings_taking_seats(writes jsonb)
RETURNS TABLE (
  nth int, outcome text, booking_id bigint, dose1_slot_id bigint, dose2_slot_id bigint, vaccine_code text,
  dose1_date date, dose2_date date, outbox_id bigint, err_state text, err_constraint text, err_column text
)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
DECLARE
  w jsonb;
  is_lock_wait_spent boolean := false;
BEGIN
  nth := 0;
  FOR w IN SELECT value FROM jsonb_array_elements(writes) LOOP
    nth := nth + 1;
    outcome := 'slot-full';
    booking_id := NULL; dose1_slot_id := NULL; dose2_slot_id := NULL; vaccine_code := NULL;
    dose1_date := NULL; dose2_date := NULL; outbox_id := NULL;
    err_state := NULL; err_constraint := NULL; err_column := NULL;
    BEGIN
      IF w->>0 = 'place' THEN
        WITH d1 AS (
          UPDATE slots SET booked = booked + 1 WHERE id = (w->>1)::bigint AND booked < capacity RETURNING id
        ), d2 AS (
          UPDATE slots SET booked = booked + 1
          WHERE id = (SELECT id FROM slots WHERE campaign_id = (w->>2)::text AND facility_id = (w->>3)::int
                        AND date = (w->>4)::date AND vaccine_code = (w->>5)::text AND dose = 2 AND booked < capacity
                      ORDER BY id LIMIT 1)
            AND booked < capacity AND EXISTS (SELECT 1 FROM d1)
          RETURNING id
        ), b AS (
          INSERT INTO bookings (booking_number, campaign_id, campaign_version, person_id, requested_by_id, status,
            facility_id, vaccine_code, dose1_slot_id, dose1_date, dose2_slot_id, dose2_date, idempotency_key,
            admission_id, created_at, updated_at, cancelled_at)
          SELECT (w->>6)::text, (w->>2)::text, (w->>7)::int, (w->>8)::bigint, (w->>9)::bigint, (w->>10)::text,
                 (w->>3)::int, (w->>5)::text, d1.id, (w->>11)::date, (SELECT id FROM d2), (w->>4)::date,
                 (w->>12)::text, (w->>13)::text, (w->>14)::timestamptz, (w->>15)::timestamptz, NULL
          FROM d1
          RETURNING id, dose2_slot_id
        ), o AS (
          INSERT INTO outbox (booking_id, kind, payload, created_at, next_attempt_at)
          SELECT b.id, (w->>16)::text, (w->>17)::jsonb, (w->>18)::timestamptz, (w->>19)::timestamptz FROM b
          RETURNING id
        )
        SELECT b.id, b.dose2_slot_id, (SELECT id FROM o) INTO booking_id, dose2_slot_id, outbox_id FROM b;
      ELSIF w->>0 = 'place-earliest' THEN
        WITH pick AS (
          SELECT s.id FROM slots s
          WHERE s.campaign_id = (w->>1)::text AND s.facility_id = (w->>2)::int AND s.dose = 1
            AND s.date >= (w->>3)::date AND s.vaccine_code = ANY (string_to_array(w->>4, ','))
            AND (s.rotation_group IS NULL OR s.rotation_group = (w->>5)::int) AND s.booked < s.capacity
            AND EXISTS (SELECT 1 FROM slots s2 WHERE s2.campaign_id = s.campaign_id AND s2.facility_id = s.facility_id
                          AND s2.date = s.date + (w->>6)::int AND s2.vaccine_code = s.vaccine_code
                          AND s2.dose = 2 AND s2.booked < s2.capacity)
          ORDER BY s.date, s.id LIMIT 1
          FOR UPDATE OF s
        ), d1 AS (
          UPDATE slots SET booked = booked + 1 FROM pick WHERE slots.id = pick.id AND slots.booked < slots.capacity
          RETURNING slots.id, slots.date, slots.vaccine_code, slots.date + (w->>6)::int AS dose2_date
        ), d2 AS (
          UPDATE slots SET booked = booked + 1
          WHERE id = (SELECT s.id FROM slots s, d1 WHERE s.campaign_id = (w->>1)::text AND s.facility_id = (w->>2)::int
                        AND s.date = d1.dose2_date AND s.vaccine_code = d1.vaccine_code AND s.dose = 2
                        AND s.booked < s.capacity
                      ORDER BY s.id LIMIT 1)
            AND booked < capacity AND EXISTS (SELECT 1 FROM d1)
          RETURNING id
        ), b AS (
          INSERT INTO bookings (booking_number, campaign_id, campaign_version, person_id, requested_by_id, status,
            facility_id, vaccine_code, dose1_slot_id, dose1_date, dose2_slot_id, dose2_date, idempotency_key,
            admission_id, created_at, updated_at, cancelled_at)
          SELECT (w->>7)::text, (w->>1)::text, (w->>8)::int, (w->>9)::bigint, (w->>10)::bigint, (w->>11)::text,
                 (w->>2)::int, d1.vaccine_code, d1.id, d1.date, (SELECT id FROM d2), d1.dose2_date,
                 (w->>12)::text, (w->>13)::text, (w->>14)::timestamptz, (w->>15)::timestamptz, NULL
          FROM d1
          RETURNING id, dose1_slot_id, dose2_slot_id, vaccine_code, dose1_date, dose2_date
        ), o AS (
          INSERT INTO outbox (booking_id, kind, payload, created_at, next_attempt_at)
          SELECT b.id, (w->>16)::text,
                 replace(replace(w->>17, w->>20, to_char(b.dose1_date, 'YYYY-MM-DD')),
                         w->>21, to_char(b.dose2_date, 'YYYY-MM-DD'))::jsonb,
                 (w->>18)::timestamptz, (w->>19)::timestamptz
          FROM b
          RETURNING id
        )
        SELECT b.id, b.dose1_slot_id, b.dose2_slot_id, b.vaccine_code, b.dose1_date, b.dose2_date, (SELECT id FROM o)
        INTO booking_id, dose1_slot_id, dose2_slot_id, vaccine_code, dose1_date, dose2_date, outbox_id FROM b;
      ELSE
        RAISE EXCEPTION 'unknown write kind %', w->>0 USING ERRCODE = '22023';
      END IF;
      IF booking_id IS NOT NULL THEN
        outcome := 'ok';
      END IF;
    EXCEPTION WHEN OTHERS THEN
      outcome := 'error';
      GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_constraint = CONSTRAINT_NAME,
        err_column = COLUMN_NAME;
    END;
    -- A lock wait ran out (lock_timeout, 55P03): the rest of this call waits for no lock (1 ms, the
    -- least lock_timeout there is; 0 would mean no limit). Until the call commits.
    IF err_state = '55P03' AND NOT is_lock_wait_spent THEN
      is_lock_wait_spent := true;
      PERFORM set_config('lock_timeout', '1ms', true);
    END IF;
    RETURN NEXT;
  END LOOP;
END
$fn$;
