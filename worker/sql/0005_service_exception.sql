-- 0005_service_exception.sql - the service a feed said would not run:
-- trip runs its TripUpdates marked CANCELED and stops they marked SKIPPED,
-- one row per trip run and stop, as first reported (score/exceptions.h);
-- and their daily counts beside the trips observed running.
--
-- service_exception       kind 'canceled' (stop_id NULL, stop_sequence
--                         -1, scheduled_at the run's first departure) or
--                         'skipped' (the stop, its sequence and scheduled
--                         arrival).  Pruned with arrival_log.
-- route_performance_daily canceled_trips: runs reported cancelled and
--                         never seen running that day; skipped_stops:
--                         stops reported skipped.

CREATE TABLE service_exception (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    city_id             integer NOT NULL REFERENCES city (id) ON DELETE RESTRICT,
    service_date        date NOT NULL,
    route_id            text COLLATE "C" NOT NULL,
    trip_id             text COLLATE "C" NOT NULL,
    trip_start_time     integer NOT NULL,
    direction_id        smallint,
    kind                text NOT NULL CHECK (kind IN ('canceled', 'skipped')),
    stop_id             text COLLATE "C",
    stop_sequence       integer NOT NULL,
    vehicle_id          text COLLATE "C",
    scheduled_at        timestamptz,
    reported_at         timestamptz NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (city_id, service_date, trip_id, trip_start_time, kind,
            stop_sequence)
);
CREATE INDEX service_exception_route
    ON service_exception (city_id, service_date, route_id);
CREATE INDEX service_exception_reported ON service_exception (reported_at);

ALTER TABLE route_performance_daily
    ADD COLUMN canceled_trips integer,
    ADD COLUMN skipped_stops integer;
