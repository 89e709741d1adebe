# `mtw-worker prune --days N`: deletes only history rows older than N days
# from the growing tables (in batches), keeps daily aggregates, weather and
# GTFS data, and is harmless to repeat.
use strict;
use warnings;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my $dir = $t->dir;
$t->start_postgres;
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'tiny', '--quiet',
    $t->write_zip("$dir/tiny.zip", MTW::Test::tiny_gtfs()));
is($rc, 0, 'tiny feed imports') or diag($err);
my $id = $t->psql("SELECT id FROM city WHERE slug = 'tiny'");

# 25,000 arrivals 40 days old (more than one delete batch) and 300 recent
$t->psql(<<"SQL");
INSERT INTO arrival_log (city_id, service_date, route_id, trip_id,
    trip_start_time, stop_id, stop_sequence, vehicle_id, arrived_at, source)
SELECT $id, (now() - interval '40 days')::date, 'R1', 'old-' || g, 28800,
       'S1', 1, 'bus', now() - interval '40 days', 'test'
FROM generate_series(1, 25000) g;
INSERT INTO arrival_log (city_id, service_date, route_id, trip_id,
    trip_start_time, stop_id, stop_sequence, vehicle_id, arrived_at, source)
SELECT $id, current_date, 'R1', 'new-' || g, 28800, 'S1', 1, 'bus',
       now() - interval '29 days', 'test'
FROM generate_series(1, 300) g;
INSERT INTO bunching_incident (city_id, service_date, route_id, stop_id,
    detected_at, vehicle_ids)
VALUES ($id, current_date - 45, 'R1', 'S1', now() - interval '45 days', '{a,b}'),
       ($id, current_date, 'R1', 'S1', now(), '{c,d}');
INSERT INTO service_exception (city_id, service_date, route_id, trip_id,
    trip_start_time, kind, stop_sequence, reported_at)
VALUES ($id, current_date - 40, 'R1', 'T1', 28800, 'canceled', -1,
        now() - interval '40 days'),
       ($id, current_date, 'R1', 'T1', 28800, 'canceled', -1, now());
INSERT INTO feedback_archive (city_id, service_date, vehicle_id, late)
VALUES ($id, current_date - 31, 'bus-1', 3), ($id, current_date - 2, 'bus-1', 1);
INSERT INTO route_performance_daily (city_id, route_id, service_date)
VALUES ($id, 'R1', current_date - 400);
INSERT INTO weather_observation (city_id, observed_at)
VALUES ($id, now() - interval '400 days');
SQL

($rc, $out, $err) = $t->worker('prune', '--days', '30');
is($rc, 0, 'prune exits 0') or diag($err);
like($out, qr/^arrival_log\s+25000 rows deleted$/m, 'reports arrival_log');
like($out, qr/^bunching_incident\s+1 rows deleted$/m, 'reports bunching_incident');
like($out, qr/^feedback_archive\s+1 rows deleted$/m, 'reports feedback_archive');
like($out, qr/^service_exception\s+1 rows deleted$/m, 'reports service_exception');
like($out, qr/^pruned 25003 history rows older than 30 days$/m, 'reports the total');

is($t->psql("SELECT count(*) FROM arrival_log"), 300, 'recent arrivals kept');
is($t->psql("SELECT count(*) FROM arrival_log WHERE trip_id LIKE 'old-%'"), 0, 'old arrivals gone');
is($t->psql("SELECT vehicle_ids::text FROM bunching_incident"), '{c,d}', 'recent incident kept');
is($t->psql("SELECT late FROM feedback_archive"), 1, 'recent feedback kept');
is($t->psql("SELECT service_date = current_date FROM service_exception"), 't',
   'recent cancellation kept');
is($t->psql("SELECT count(*) FROM route_performance_daily"), 1, 'daily performance kept');
is($t->psql("SELECT count(*) FROM weather_observation"), 1, 'weather kept');
is($t->psql("SELECT count(*) FROM stop_times WHERE city_id = $id"), 6, 'GTFS data kept');

($rc, $out, $err) = $t->worker('prune', '--days', '30');
is($rc, 0, 'second prune exits 0');
like($out, qr/^pruned 0 history rows/m, 'second prune deletes nothing');

# arrival_log keeps one row per run of a trip and stop: the runs of a
# frequency-based trip (same trip_id, other start times) are all kept
my $ins = "INSERT INTO arrival_log (city_id, service_date, route_id, trip_id, "
    . "trip_start_time, stop_id, stop_sequence, vehicle_id, arrived_at, source) "
    . "VALUES ($id, '2025-07-02', 'R1', 'F1', %d, 'S1', 2, 'bus', now(), 'test') "
    . "ON CONFLICT DO NOTHING RETURNING 1";
is($t->psql(sprintf $ins, 21600), 1, 'first run of a frequency trip logged');
is($t->psql(sprintf $ins, 22200), 1, 'second run (10 min later) logged too');
is($t->psql(sprintf $ins, 21600), '', 'the same run again is a duplicate');

($rc, $out, $err) = $t->worker('prune', '--days', '0');
is($rc, 2, '--days 0 is a usage error');
like($err, qr/--days must be a whole number from 1 to 36500/, '--days 0: says why');

$t->done;
