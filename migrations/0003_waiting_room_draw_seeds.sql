-- 0003_waiting_room_draw_seeds: one random seed per campaign for the pre-room draw (see
-- src/waiting-room/pre-room-draw.ts). Written once by the first process that opens the campaign's
-- room, never updated: its SHA-256 is published before anyone joins and the seed after the opening,
-- so changing it would be visible. In Postgres, not Redis, because a Redis loss must not change
-- anyone's draw.
CREATE TABLE waiting_room_draw_seeds (
  campaign_id  text         PRIMARY KEY,
  seed         bytea        NOT NULL CHECK (octet_length(seed) = 32),
  created_at   timestamptz  NOT NULL DEFAULT now()
);
