-- 0009_booking_slot_key: a booking's campaign and facility are those of its dose-1 slot, now held by
-- ONE composite foreign key (dose1_slot_id, campaign_id, facility_id) → slots (id, campaign_id,
-- facility_id) instead of three separate ones (→ slots, → campaigns, → facilities). Stronger: a row
-- whose campaign or facility disagrees with its slot is refused (before, each column was only known
-- to exist). Cheaper for every booking (issue 13): each foreign key is checked on insert by locking
-- the referenced row FOR KEY SHARE; the slot row is already locked by the seat-taking UPDATE of the
-- same statement, while the campaign row was one row locked by every booking at once (concurrent
-- lockers of one row are recorded as a MultiXact) and the facility row one more lock per booking.
-- The slot's own foreign keys keep campaign and facility existing (slots.campaign_id → campaigns,
-- slots.facility_id → facilities). The unique key on slots only backs the foreign key (id alone is
-- already unique); `booked` is in none of its columns, so taking a seat stays a HOT update.
ALTER TABLE slots ADD CONSTRAINT slots_id_campaign_facility_key UNIQUE (id, campaign_id, facility_id);
ALTER TABLE bookings ADD CONSTRAINT bookings_dose1_slot_of_campaign_facility_fkey
  FOREIGN KEY (dose1_slot_id, campaign_id, facility_id) REFERENCES slots (id, campaign_id, facility_id);
ALTER TABLE bookings DROP CONSTRAINT bookings_dose1_slot_id_fkey;
ALTER TABLE bookings DROP CONSTRAINT bookings_campaign_id_fkey;
ALTER TABLE bookings DROP CONSTRAINT bookings_facility_id_fkey;
