-- 0008_turn_notices: "text me when it is my turn" (issue 14) goes out through the outbox, the same
-- channel and sender as booking confirmations. Such a message belongs to a place in a queue, not
-- to a booking: booking_id is null exactly for kind 'turn-near', and its notice_key
-- ("campaign/partition/identity hash") is unique, so a retried or repeated round never writes a
-- second message for one place. The payload holds what sending needs: the registered phone, the
-- text, the link; never an RRN.
ALTER TABLE outbox ALTER COLUMN booking_id DROP NOT NULL;
ALTER TABLE outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('booking-confirmed', 'booking-changed', 'booking-cancelled', 'turn-near'));
ALTER TABLE outbox ADD COLUMN notice_key text;
ALTER TABLE outbox ADD CONSTRAINT outbox_booking_or_notice
  CHECK (CASE WHEN kind = 'turn-near' THEN booking_id IS NULL AND notice_key IS NOT NULL
              ELSE booking_id IS NOT NULL AND notice_key IS NULL END);
CREATE UNIQUE INDEX outbox_one_per_notice ON outbox (notice_key) WHERE notice_key IS NOT NULL;
