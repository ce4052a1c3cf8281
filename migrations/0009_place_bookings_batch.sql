-- 0009_place_bookings_batch: concurrent bookings written in one round trip and one commit (issue 13).
--
-- yeyak_place_bookings(items) places each booking of `items` (a JSON array, in order) exactly as
-- the one-statement write in src/booking/booking.repository.ts does — the dose-1 seat taken by a
-- conditional UPDATE, a dose-2 seat at the same facility on the dose-2 date, the booking row and
-- its outbox message — each inside its own BEGIN … EXCEPTION block (a subtransaction), so one
-- person's failure never fails another's booking. It returns one row per item: its position, its
-- outcome, and the booking row when it was placed:
--   'placed'              the booking and its outbox message are written (visible at commit);
--   'slot-full'           the dose-1 slot had no seat left: nothing was written;
--   'dose2-unavailable'   no dose-2 seat: the dose-1 seat went back with the subtransaction;
--   'unique:<constraint>' a unique violation (second active booking, reused key or admission);
--   'retry'               a deadlock or lock timeout: nothing was written; the caller writes it again alone.
-- Any other error fails the whole call (the caller answers every item of it with that error).
CREATE FUNCTION yeyak_place_bookings(items jsonb)
RETURNS TABLE (ord int, outcome text, b bookings)
LANGUAGE plpgsql AS $$
DECLARE
  it jsonb;
  d1_id bigint;
  d2_id bigint;
  constraint_name text;
BEGIN
  ord := 0;
  FOR it IN SELECT value FROM jsonb_array_elements(items) LOOP
    b := NULL;
    BEGIN
      UPDATE slots SET booked = booked + 1
        WHERE id = (it->>'dose1_slot_id')::bigint AND booked < capacity
        RETURNING id INTO d1_id;
      IF d1_id IS NULL THEN
        outcome := 'slot-full';
      ELSE
        UPDATE slots SET booked = booked + 1
          WHERE id = (SELECT s.id FROM slots s
                      WHERE s.campaign_id = it->>'campaign_id' AND s.facility_id = (it->>'facility_id')::int
                        AND s.date = (it->>'dose2_date')::date AND s.vaccine_code = it->>'vaccine_code'
                        AND s.dose = 2 AND s.booked < s.capacity
                      ORDER BY s.id LIMIT 1)
            AND booked < capacity
          RETURNING id INTO d2_id;
        IF d2_id IS NULL THEN
          -- Undoes the dose-1 seat: the subtransaction rolls back.
          RAISE EXCEPTION 'no dose-2 seat' USING ERRCODE = 'YY002';
        END IF;
        INSERT INTO bookings (booking_number, campaign_id, campaign_version, person_id, requested_by_id, status,
                              facility_id, vaccine_code, dose1_slot_id, dose1_date, dose2_slot_id, dose2_date,
                              idempotency_key, admission_id, created_at, updated_at, cancelled_at)
          VALUES (it->>'booking_number', it->>'campaign_id', (it->>'campaign_version')::int, (it->>'person_id')::bigint,
                  (it->>'requested_by_id')::bigint, it->>'status', (it->>'facility_id')::int, it->>'vaccine_code',
                  d1_id, (it->>'dose1_date')::date, d2_id, (it->>'dose2_date')::date, it->>'idempotency_key',
                  it->>'admission_id', (it->>'created_at')::timestamptz, (it->>'updated_at')::timestamptz, NULL)
          RETURNING * INTO b;
        INSERT INTO outbox (booking_id, kind, payload, created_at, next_attempt_at)
          VALUES (b.id, it->>'message_kind', it->'payload', (it->>'at')::timestamptz, (it->>'at')::timestamptz);
        outcome := 'placed';
      END IF;
    EXCEPTION
      WHEN SQLSTATE 'YY002' THEN
        b := NULL;
        outcome := 'dose2-unavailable';
      WHEN unique_violation THEN
        GET STACKED DIAGNOSTICS constraint_name = CONSTRAINT_NAME;
        b := NULL;
        outcome := 'unique:' || coalesce(constraint_name, '');
      WHEN deadlock_detected OR lock_not_available OR serialization_failure THEN
        b := NULL;
        outcome := 'retry';
    END;
    RETURN NEXT;
    ord := ord + 1;
  END LOOP;
END
$$;
