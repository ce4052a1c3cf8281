-- 0006_facility_address_en: facilities' addresses in English, for foreign residents (issue 14 item 8).
-- The English form follows Korea's road-name address convention in English (number, road, district,
-- province: "12 Jungang-ro, Jongno-gu, Seoul"). Empty when not known: the site then shows the Korean one.
ALTER TABLE facilities ADD COLUMN address_en text NOT NULL DEFAULT '';
