-- 0003_gtfs_reload.sql - what a scheduled reload of a city's static feed
-- needs: the validators of the copy last imported from gtfs_static_url
-- (sent back as If-None-Match / If-Modified-Since, so an unchanged feed
-- downloads nothing) and a fallback URL tried when the main one fails.

ALTER TABLE city
    ADD COLUMN gtfs_etag          text,
    ADD COLUMN gtfs_last_modified text,
    ADD COLUMN gtfs_fallback_url  text;
