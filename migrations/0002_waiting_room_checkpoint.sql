-- 0002_waiting_room_checkpoint: the waiting room's counters per campaign partition, written about
-- once a second, so a Redis that lost its memory can be restored (cursor, tail, pre-room size).
-- Writes only ever move counters forward (GREATEST in the upsert): a late write from a slow
-- server cannot undo a newer one.
CREATE TABLE waiting_room_checkpoints (
  campaign_id    text     NOT NULL,
  partition      integer  NOT NULL CHECK (partition >= 0),
  cursor         bigint   NOT NULL,
  tail           bigint   NOT NULL,
  frozen         bigint,
  pre_room       bigint   NOT NULL,
  claimed_total  bigint   NOT NULL,
  grace_floor    bigint   NOT NULL,
  saved_at_ms    bigint   NOT NULL,
  PRIMARY KEY (campaign_id, partition)
);
