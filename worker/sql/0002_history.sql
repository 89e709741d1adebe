-- 0002_history.sql - history the worker accumulates; never touched by a
-- GTFS reload.
--
-- History rows name routes, stops and trips by their GTFS ids (text) plus
-- city_id, with no foreign key into the GTFS tables: a reload may drop or
-- renumber nothing here, and history outlives routes that no longer run.
-- city_id references city with ON DELETE RESTRICT: removing a city with
-- history is a deliberate act.  All instants are timestamptz; service_date
-- is the GTFS service day (local to the city) an event belongs to.
--
-- arrival_log              one row per observed arrival of a vehicle at a
--                          stop, deduplicated: unique per service day, trip
--                          run (trip_id + trip_start_time, which tells the
--                          runs of a frequency-based trip apart) and
--                          stop_sequence, with the schedule it is measured
--                          against.  Pruned by `prune --days`.
-- route_performance_daily  one row per route and service day: on-time
--                          performance, delay, headway regularity (cv, LOS),
--                          excess wait, bunching and gap counts, the
--                          reference's A-D grade.  Kept.
-- bunching_incident        one row per detected bunching (unique per route,
--                          stop and instant, so re-running detection does
--                          not duplicate).  Pruned.
-- weather_observation      one row per city and observation instant.  Kept.
-- feedback_archive         rider punctuality votes per vehicle and service
--                          day, copied from Redis counters.  Pruned.

CREATE TABLE arrival_log (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    city_id             integer NOT NULL REFERENCES city (id) ON DELETE RESTRICT,
    service_date        date NOT NULL,
    route_id            text COLLATE "C" NOT NULL,
    trip_id             text COLLATE "C" NOT NULL,
    trip_start_time     integer NOT NULL,    -- seconds after midnight of the
                                             -- run's first departure
    direction_id        smallint,
    stop_id             text COLLATE "C" NOT NULL,
    stop_sequence       integer NOT NULL,
    vehicle_id          text COLLATE "C" NOT NULL,
    scheduled_at        timestamptz,
    arrived_at          timestamptz NOT NULL,
    delay_sec           integer,             -- + late, - early
    source              text NOT NULL,       -- trip_update | position | ...
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (city_id, service_date, trip_id, trip_start_time, stop_sequence)
);
CREATE INDEX arrival_log_route ON arrival_log (city_id, route_id, arrived_at);
CREATE INDEX arrival_log_stop ON arrival_log (city_id, stop_id, arrived_at);
CREATE INDEX arrival_log_arrived ON arrival_log (arrived_at);

CREATE TABLE weather_observation (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    city_id              integer NOT NULL REFERENCES city (id) ON DELETE RESTRICT,
    observed_at          timestamptz NOT NULL,
    temperature_c        numeric(4,1),
    feels_like_c         numeric(4,1),
    precipitation_mm     numeric(5,1),
    snowfall_cm          numeric(4,1),
    snow_depth_cm        integer,
    weather_code         integer,              -- WMO code
    weather_condition    text NOT NULL DEFAULT 'unknown',
    visibility_km        numeric(5,2),
    wind_speed_kmh       numeric(5,1),
    transit_impact       text NOT NULL DEFAULT 'none',
    source               text NOT NULL DEFAULT 'open_meteo',
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (city_id, observed_at)
);

CREATE TABLE route_performance_daily (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    city_id                 integer NOT NULL REFERENCES city (id) ON DELETE RESTRICT,
    route_id                text COLLATE "C" NOT NULL,
    service_date            date NOT NULL,
    observed_arrivals       integer NOT NULL DEFAULT 0,
    scheduled_trips         integer,
    observed_trips          integer,
    avg_delay_sec           integer,
    median_delay_sec        integer,
    on_time_pct             numeric(5,2),
    early_pct               numeric(5,2),
    late_pct                numeric(5,2),
    headway_cv              numeric(6,3),
    headway_los             char(1),           -- TCQSM A-F
    excess_wait_sec         integer,
    bunching_count          integer NOT NULL DEFAULT 0,
    gap_count               integer NOT NULL DEFAULT 0,
    grade                   char(1),           -- reference A-D
    schedule_realism_ratio  numeric(5,3),
    weather_observation_id  bigint REFERENCES weather_observation (id)
                            ON DELETE SET NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (city_id, route_id, service_date)
);
CREATE INDEX route_performance_daily_date
    ON route_performance_daily (city_id, service_date);

CREATE TABLE bunching_incident (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    city_id                 integer NOT NULL REFERENCES city (id) ON DELETE RESTRICT,
    service_date            date NOT NULL,
    route_id                text COLLATE "C" NOT NULL,
    direction_id            smallint,
    stop_id                 text COLLATE "C" NOT NULL,
    detected_at             timestamptz NOT NULL,
    vehicle_ids             text[] NOT NULL,
    headway_sec             integer,
    scheduled_headway_sec   integer,
    weather_observation_id  bigint REFERENCES weather_observation (id)
                            ON DELETE SET NULL,
    created_at              timestamptz NOT NULL DEFAULT now(),
    UNIQUE (city_id, route_id, stop_id, detected_at)
);
CREATE INDEX bunching_incident_detected ON bunching_incident (detected_at);

CREATE TABLE feedback_archive (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    city_id       integer NOT NULL REFERENCES city (id) ON DELETE RESTRICT,
    service_date  date NOT NULL,
    vehicle_id    text COLLATE "C" NOT NULL,
    route_id      text COLLATE "C",
    trip_id       text COLLATE "C",
    ahead         integer NOT NULL DEFAULT 0,
    on_time       integer NOT NULL DEFAULT 0,
    late          integer NOT NULL DEFAULT 0,
    archived_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (city_id, service_date, vehicle_id)
);
CREATE INDEX feedback_archive_date ON feedback_archive (service_date);
