#!/usr/bin/perl
# 43-history.t - the history the running worker keeps, end to end: the
# simulator plays the demo feed, nginx serves its files, `mtw-worker run`
# polls them with PostgreSQL.  Checks: arrival_log fills with real vehicle
# ids, each arrival once (the worker never even offers a duplicate, and
# the table has none), delays against the schedule, bunching incidents
# well formed; `run --aggregate DATE` writes route_performance_daily from
# arrival_log and a re-run changes nothing; a worker on the next day
# aggregates the missing yesterday by itself and the route documents show
# it as history; the CloudWatch EMF heartbeat lines appear with
# MTW_METRICS_NAMESPACE and not without.
use strict;
use warnings;
use lib 't/lib';
use File::Path qw(make_path);
use JSON::PP;
use MTW::Test;
use Test::More;
use Time::HiRes qw(sleep);

my $t = MTW::Test->new;
my $dir = $t->dir;
my $zip = "$dir/demo.zip";
my $live = "$dir/live";
make_path($live);

my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
is($rc, 0, 'demo feed') or diag($err);
$t->start_postgres;
$t->start_redis;
($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'demo', '--quiet', $zip);
is($rc, 0, 'gtfs-load demo') or diag($err);
my $city = $t->city_id('demo');

$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    location /feeds/ { alias $live/; }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';
# 12 s of feed time per 0.2 s frame: vehicles pass a stop every few frames
$t->start_worker('sim', 'simulate', '--gtfs', $zip, '--out', $live,
    '--interval', '0.2', '--speed', '60', '--date', '2025-07-02',
    '--clock', 'feed', '--start', '08:00:00', '--delay-profile', 'heavy');
MTW::Test::wait_for('first frame', 20, sub { -e "$live/Alerts.pb" });
my %feeds = (MTW_VEHICLES_URL => "$base/VehiclePositions.pb",
    MTW_TRIPS_URL => "$base/TripUpdates.pb", MTW_ALERTS_URL => "$base/Alerts.pb");
$t->start_worker('run', { MTW_CITY => 'demo', MTW_CLOCK => 'feed',
    MTW_SERVICE_DATE => '2025-07-02', MTW_POLL_MS => 200, MTW_SCORE_SEC => 10,
    MTW_ALERTS_POLL_SEC => 1, MTW_LOG_LEVEL => 'debug',
    MTW_METRICS_NAMESPACE => 'MindTheWait/test', %feeds }, 'run');

sub doc {
    my ($name) = @_;
    my %h = @{ $t->redis_cmd('HGETALL', "mtw:demo:doc:$name") || [] };
    return $h{body} ? decode_json($h{body}) : undef;
}

# the vehicle ids the feed really has, seen through the realtime document
my %real;
MTW::Test::wait_for('arrivals logged', 60, sub {
    my $rt = doc('realtime');
    $real{ $_->{id} } = 1 for grep { defined $_->{id} } @{ $rt ? $rt->{vehicles} : [] };
    sleep 0.1;
    return $t->psql("SELECT count(*) FROM arrival_log WHERE city_id = $city") >= 60;
});
for (1 .. 10) {         # some more ticks over the same vehicles
    my $rt = doc('realtime');
    $real{ $_->{id} } = 1 for grep { defined $_->{id} } @{ $rt ? $rt->{vehicles} : [] };
    sleep 0.2;
}
my ($rc_run) = $t->stop_worker('run');
is($rc_run, 0, 'worker stopped cleanly');
$t->stop_worker('sim');

my $n = $t->psql("SELECT count(*) FROM arrival_log WHERE city_id = $city");
ok($n >= 60, "$n arrivals logged");
# (a run's first stop may come from its trip update alone, before its bus
# shows in the feed: no vehicle named then)
my @vids = split /\n/, $t->psql("SELECT DISTINCT vehicle_id FROM arrival_log
    WHERE NOT (source = 'trip_update' AND vehicle_id = '')");
my @fake = grep { !$real{$_} } @vids;
ok(@vids >= 3, scalar(@vids) . ' vehicles arrived somewhere');
is_deeply(\@fake, [], 'every vehicle id is one of the feed\'s vehicles');
my $trip_ids = $t->psql("SELECT count(*) FROM arrival_log a JOIN trips t ON t.trip_id = a.vehicle_id");
is($trip_ids, 0, 'no trip id logged as a vehicle id');
is($t->psql("SELECT count(*) FROM (SELECT 1 FROM arrival_log GROUP BY city_id,
    service_date, trip_id, trip_start_time, stop_sequence HAVING count(*) > 1) d"), 0,
   'one row per trip run and stop');
is($t->psql("SELECT count(*) FROM arrival_log WHERE service_date <> '2025-07-02'
    OR scheduled_at IS NULL OR delay_sec IS NULL
    OR delay_sec <> extract(epoch FROM arrived_at - scheduled_at)::int
    OR abs(delay_sec) > 3 * 3600
    OR source NOT IN ('stop_sequence', 'trip_update')"), 0,
   'service date, schedule and delay of every arrival');
is($t->psql("SELECT count(*) FROM arrival_log a WHERE NOT EXISTS (SELECT 1
    FROM stops s WHERE s.city_id = a.city_id AND s.stop_id = a.stop_id)
    OR NOT EXISTS (SELECT 1 FROM routes r WHERE r.city_id = a.city_id
    AND r.route_id = a.route_id)"), 0, 'stops and routes of the schedule');
# along one trip run, later stops are reached later
is($t->psql("SELECT count(*) FROM (SELECT arrived_at < lag(arrived_at) OVER w AS back
    FROM arrival_log WINDOW w AS (PARTITION BY trip_id, trip_start_time
    ORDER BY stop_sequence)) x WHERE back"), 0, 'arrivals in stop order per trip run');

# the worker offered each arrival once: every write inserted all it sent
my $log = $t->worker_log('run');
my @writes = $log =~ /history demo: (\d+) arrivals \((\d+) new\)/g;
my ($offered, $dups) = (0, 0);
while (my ($a, $b) = splice(@writes, 0, 2)) {
    $offered += $a;
    $dups += $a - $b;
}
is($offered, $n, "the worker offered $offered arrivals, as many as logged");
is($dups, 0, 'and no duplicate');
my @ms = $log =~ /written in ([\d.]+) ms/g;
my @sorted = sort { $a <=> $b } @ms;
diag(sprintf 'history writes per tick: median %.2f ms, max %.2f ms over %d ticks',
     $sorted[@sorted / 2], $sorted[-1], scalar @sorted) if @sorted;

# bunching incidents: well formed, real vehicles
my @inc = split /\n/, $t->psql("SELECT route_id || '|' || array_to_string(vehicle_ids, ',')
    || '|' || coalesce(headway_sec, -1) || '|' || coalesce(scheduled_headway_sec, -1)
    FROM bunching_incident WHERE city_id = $city");
my $bad_inc = 0;
for (@inc) {
    my ($route, $ids, $hw, $sh) = split /\|/;
    my @v = split /,/, $ids;
    $bad_inc++ if @v < 2 || grep { !$real{$_} } @v;
    $bad_inc++ unless $sh > 0 && $hw < 0.25 * $sh;
}
is($bad_inc, 0, scalar(@inc) . ' bunching incidents, each with 2+ real vehicles and a bunched headway');

# the EMF heartbeat: one line per completed tick, exactly the contract
my @emf = grep { /^\{"_aws"/ } split /\n/, $log;
ok(@emf >= 10, scalar(@emf) . ' heartbeat lines');
my $e = eval { decode_json($emf[0]) } || {};
is_deeply($e->{_aws}{CloudWatchMetrics}, [{ Namespace => 'MindTheWait/test',
    Dimensions => [['City']], Metrics => [{ Name => 'WorkerHeartbeat', Unit => 'Count' }] }],
    'EMF metric directive');
is($e->{City}, 'demo', 'dimension City');
is($e->{WorkerHeartbeat}, 1, 'value 1');
ok(abs($e->{_aws}{Timestamp} / 1000 - time) < 600, 'Timestamp in ms since the epoch');

# the daily aggregate on demand, twice: the same rows
my @agg = ('run', '--city', 'demo', '--aggregate', '2025-07-02');
($rc, $out, $err) = $t->worker(@agg);
is($rc, 0, 'run --aggregate') or diag($err);
my $nroutes = $t->psql("SELECT count(DISTINCT route_id) FROM arrival_log");
like($out, qr/^\{"city":"demo","service_date":20250702,"routes":$nroutes\}$/m, "aggregate: $nroutes routes");
my $cols = "route_id, observed_arrivals, observed_trips, avg_delay_sec, median_delay_sec,
    on_time_pct, early_pct, late_pct, bunching_count";
my $q = "SELECT $cols FROM route_performance_daily WHERE city_id = $city
    AND service_date = '2025-07-02' ORDER BY route_id";
my $first = $t->psql($q);
($rc, $out, $err) = $t->worker(@agg);
is($rc, 0, 'run --aggregate again');
is($t->psql($q), $first, 'a re-run changes nothing (upsert)');
is($t->psql("SELECT count(*) FROM route_performance_daily"), $nroutes, 'one row per route');
# the numbers against SQL's own
is($t->psql("SELECT count(*) FROM route_performance_daily p JOIN (SELECT route_id,
    count(*) n, count(DISTINCT (trip_id, trip_start_time)) trips,
    round(avg(delay_sec)) a,
    round(100.0 * count(*) FILTER (WHERE delay_sec BETWEEN -60 AND 300) / count(*), 2) ot,
    round(100.0 * count(*) FILTER (WHERE delay_sec < -60) / count(*), 2) ea,
    round(100.0 * count(*) FILTER (WHERE delay_sec > 300) / count(*), 2) la
    FROM arrival_log GROUP BY route_id) s USING (route_id)
    WHERE p.observed_arrivals <> s.n OR p.observed_trips <> s.trips
    OR p.avg_delay_sec <> s.a OR p.on_time_pct <> s.ot OR p.early_pct <> s.ea
    OR p.late_pct <> s.la"), 0, 'counts, mean delay and the on-time/early/late split');
is($t->psql("SELECT count(*) FROM route_performance_daily p WHERE bunching_count <>
    (SELECT count(*) FROM bunching_incident b WHERE b.route_id = p.route_id)"), 0,
   'bunching counts');

# a worker on the next day aggregates the missing yesterday by itself,
# and the route documents read it as history (no EMF without the namespace)
$t->psql("DELETE FROM route_performance_daily");
($rc, $out, $err) = $t->worker('simulate', '--gtfs', $zip, '--out', $live, '--once',
    '--date', '2025-07-03', '--clock', 'feed', '--start', '08:00:00');
is($rc, 0, 'one frame of the next day') or diag($err);
$t->start_worker('run2', { MTW_CITY => 'demo', MTW_CLOCK => 'feed',
    MTW_SERVICE_DATE => '2025-07-03', MTW_POLL_MS => 200, %feeds }, 'run');
my ($route) = split /\n/, $first;
$route = (split /\|/, $route)[0];
my $detail;
MTW::Test::wait_for('route detail with history', 30, sub {
    $detail = doc("route:$route");
    return $detail && ($detail->{stats}{totalDays} // 0) == 1;
});
like($t->worker_log('run2'), qr/daily performance of 20250702 aggregated \($nroutes routes\)/,
     'yesterday aggregated at start');
is($t->psql($q), $first, 'the same numbers as on demand');
my $pct = $t->psql("SELECT on_time_pct FROM route_performance_daily WHERE route_id = '$route'");
is($detail->{stats}{totalDays}, 1, "route:$route: one day of history");
ok(abs(($detail->{trend}{on_time_pct}[0] // -1) - $pct) < 0.06, "trend value $pct");
is_deeply($detail->{trend}{dates}, ['Jul 2'], 'trend date');
my $routes = doc('routes');
my ($row) = grep { $_->{id} eq $route } @{ $routes->{routes} };
ok($row && defined $row->{on_time_pct}, 'the route list has its 30-day value');
$t->stop_worker('run2');
my @emf2 = grep { /"_aws"/ } split /\n/, $t->worker_log('run2');
is(scalar @emf2, 0, 'no EMF line without MTW_METRICS_NAMESPACE');

# a namespace CloudWatch would refuse is a usage error
($rc, $out, $err) = $t->worker({ MTW_METRICS_NAMESPACE => 'AWS/EC2', MTW_CITY => 'demo' }, 'run', '--aggregate', '2025-07-02');
is($rc, 2, 'reserved namespace refused');
like($err, qr/MTW_METRICS_NAMESPACE/, '... naming the setting');

$t->done;
