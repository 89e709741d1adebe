-- 0006_headway_covering.sql - the daily aggregate reads a day's rows in
-- the headway index's order (0004); with the other columns it reads kept
-- in the index, that is an index-only scan instead of a heap fetch per
-- row: a large city's day of 1.1 M arrivals comes out in 0.4 s instead
-- of 0.8-1.3 s (bench/aggregate.sh).  The index grows from about 50 to
-- 82 bytes a row (53 and 92 MB for that day).
--
-- An index-only scan skips the heap only for pages the visibility map
-- marks all-visible, which for an append-only log only VACUUM does: by
-- default the insert-triggered autovacuum waits for 20% of the table to
-- be new (weeks of a retention's history), so yesterday's rows would
-- still be fetched one by one.  Here it runs every 100,000 new rows
-- instead (a couple of hours of a large city, a few days of a small one).
--
-- Building the index locks arrival_log against writes for as long as it
-- takes (about 2.5 s per million rows on this machine): the running
-- worker's history writes wait for it.

CREATE INDEX arrival_log_headways_covering ON arrival_log
    (city_id, service_date, route_id, direction_id, stop_id, scheduled_at)
    INCLUDE (trip_id, trip_start_time, arrived_at, delay_sec);
DROP INDEX arrival_log_headways;
ALTER INDEX arrival_log_headways_covering RENAME TO arrival_log_headways;

ALTER TABLE arrival_log SET (autovacuum_vacuum_insert_scale_factor = 0,
                             autovacuum_vacuum_insert_threshold = 100000);
