-- 0004_headway_index.sql - the daily aggregate pairs each two consecutive
-- trip runs at a stop (route, direction, stop, in scheduled order): an
-- index in that order spares it sorting a large city's million rows.

CREATE INDEX arrival_log_headways ON arrival_log
    (city_id, service_date, route_id, direction_id, stop_id, scheduled_at);
