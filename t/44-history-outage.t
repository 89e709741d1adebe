#!/usr/bin/perl
# 44-history-outage.t - the history survives a PostgreSQL outage and a
# worker restart.  The simulator plays the demo feed, `mtw-worker run`
# logs arrivals; PostgreSQL crashes (an immediate stop of a cluster with
# production's durability settings) while the worker runs, then starts
# again.  Checks: the worker keeps publishing to Redis during
# the outage, queues what it detects, reconnects by itself, and afterwards
# every arrival it detected (those of the outage included) is in
# arrival_log once; every bunching episode it detected is recorded once;
# a worker started while episodes are in progress does not record those
# episodes a second time (the resume rule of store/history_pg.c).
use strict;
use warnings;
use lib 't/lib';
use File::Path qw(make_path);
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
$t->start_postgres(durable => 1);
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
$t->start_worker('sim', 'simulate', '--gtfs', $zip, '--out', $live,
    '--interval', '0.2', '--speed', '60', '--date', '2025-07-02',
    '--clock', 'feed', '--start', '08:00:00', '--delay-profile', 'heavy');
MTW::Test::wait_for('first frame', 20, sub { -e "$live/Alerts.pb" });
my %env = (MTW_CITY => 'demo', MTW_CLOCK => 'feed',
    MTW_SERVICE_DATE => '2025-07-02', MTW_POLL_MS => 200, MTW_SCORE_SEC => 10,
    MTW_LOG_LEVEL => 'debug',
    MTW_VEHICLES_URL => "$base/VehiclePositions.pb",
    MTW_TRIPS_URL => "$base/TripUpdates.pb", MTW_ALERTS_URL => "$base/Alerts.pb");
$t->start_worker('run', {%env}, 'run');

sub etag { my %h = @{ $t->redis_cmd('HGETALL', 'mtw:demo:doc:realtime') || [] }; $h{etag} // '' }
sub detected {      # arrivals and episodes the worker detected, from its log
    my ($log) = @_;
    my ($a, $b) = (0, 0);
    while ($log =~ /history demo: (\d+) arrivals, (\d+) bunching episodes detected/g) {
        $a += $1;
        $b += $2;
    }
    return ($a, $b);
}
sub count { $t->psql("SELECT count(*) FROM $_[0] WHERE city_id = $city") }

MTW::Test::wait_for('arrivals logged', 60, sub { sleep 0.2; count('arrival_log') >= 20 });

# the outage
$t->crash_postgres;
my $before = length $t->worker_log('run');
my %etags;
my $queued = 0;
MTW::Test::wait_for('arrivals detected during the outage', 60, sub {
    $etags{ etag() } = 1;
    sleep 0.2;
    my $log = substr($t->worker_log('run'), $before);
    my ($n) = detected($log);
    $queued = $n;
    return $n >= 20 && keys %etags >= 5;
});
my $outage_log = substr($t->worker_log('run'), $before);
ok($queued >= 20, "$queued arrivals detected while PostgreSQL was down");
ok(keys(%etags) >= 5, scalar(keys %etags) . ' realtime documents published during the outage');
like($outage_log, qr/history demo: cannot reach PostgreSQL .* arrivals and \d+ bunching incidents kept, retrying in/,
     'the worker says it keeps them and retries');

# the return: the worker reconnects by itself and writes what waited
$t->restart_postgres;
my $back = $t->psql('SELECT now()');
MTW::Test::wait_for('reconnected', 60, sub { sleep 0.2; $t->worker_log('run') =~ /history demo: PostgreSQL is back/ });
MTW::Test::wait_for('queue written', 30, sub {
    sleep 0.2;
    $t->psql("SELECT count(*) FROM arrival_log WHERE city_id = $city AND created_at >= '$back'") >= $queued;
});
my %after;
for (1 .. 10) { $after{ etag() } = 1; sleep 0.2 }
ok(keys(%after) >= 2, 'still publishing after the return');
my ($rc_run) = $t->stop_worker('run');
is($rc_run, 0, 'worker stopped cleanly');

my $log = $t->worker_log('run');
my ($det_a, $det_b) = detected($log);
my $n = count('arrival_log');
is($n, $det_a, "every detected arrival is logged ($det_a), the outage's included");
is($t->psql("SELECT count(*) FROM (SELECT 1 FROM arrival_log GROUP BY city_id,
    service_date, trip_id, trip_start_time, stop_sequence HAVING count(*) > 1) d"), 0,
   'no duplicate arrival');
ok($t->psql("SELECT count(*) FROM arrival_log WHERE created_at >= '$back'") >= $queued,
   'the arrivals of the outage were written after it');
is(count('bunching_incident'), $det_b, "every detected bunching episode is recorded ($det_b)");
unlike($log, qr/queue full|never committed/, 'nothing dropped');

# A restart in the middle of bunching episodes.  A new worker sees every
# episode in progress for the first time; one that continues an incident
# recorded within MTW_BUNCH_RESUME_SEC (1800 s) for the same route and
# direction is that incident, not a new row.  The worker logs each episode
# it opens; the check below holds for every one the first worker had
# recorded, and the loop restarts workers until at least one such episode
# was seen (the simulator's heavy delays bunch buses all the time).
my $resume_window = 1800;
my ($resumed, $restarts, @wrong) = (0, 0);
my $log2 = '';
MTW::Test::wait_for('a restart inside a recorded bunching episode', 120, sub {
    my $name = 'run' . (2 + $restarts++);
    my $since = $t->psql('SELECT now()');
    $t->start_worker($name, {%env}, 'run');
    MTW::Test::wait_for("$name writing", 60, sub {
        sleep 0.2;
        my @w = $t->worker_log($name) =~ /history demo: \d+ arrivals \(\d+ new\)/g;
        return @w >= 5;
    });
    $t->stop_worker($name);
    my $log = $t->worker_log($name);
    $log2 .= $log;
    while ($log =~ /bunching episode opened on route (\S+) direction (-?\d+) at (\d+) \(first sight/g) {
        my ($route, $dir, $at) = ($1, $2, $3);
        next if $route !~ /\A[\w.-]+\z/;      # ids of the demo feed only
        my $same = "city_id = $city AND route_id = '$route' AND "
            . ($dir < 0 ? 'direction_id IS NULL' : "direction_id = $dir");
        my $earlier = $t->psql("SELECT count(*) FROM bunching_incident WHERE $same
            AND detected_at < to_timestamp($at)
            AND detected_at > to_timestamp($at) - interval '$resume_window seconds'
            AND created_at < '$since'");
        next unless $earlier;
        $resumed++;
        my $again = $t->psql("SELECT count(*) FROM bunching_incident WHERE $same
            AND detected_at = to_timestamp($at) AND created_at >= '$since'");
        push @wrong, "$route/$dir at $at" if $again;
    }
    return $resumed > 0;
});
$t->stop_worker('sim');
diag("$resumed episodes in progress seen again by $restarts restarted workers");
ok($resumed > 0, "$resumed episodes recorded before a restart were seen again by the new worker");
is_deeply(\@wrong, [], 'none of them recorded a second time');
unlike($log2, qr/queue full|never committed/, 'nothing dropped by the restarted workers');

$t->done;
