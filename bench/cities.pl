#!/usr/bin/perl
# bench/cities.pl - how far one machine goes with many cities (issue 14,
# item 4).  Ten Saskatoon-sized cities (the 2025 Saskatoon timetable loaded
# under ten slugs, each polling the simulator's feed of it at the 08:00
# peak, heavy delays) served by:
#  1. one worker: CPU per city per poll (the worker's utime + stime over a
#     window of polls, from /proc), RSS, Redis memory per city (used_memory
#     with the ten cities against before), PostgreSQL rows and bytes per
#     city: measured over the window, and per day from the day's scheduled
#     stop visits times the share of the window's visits logged;
#  2. two workers sharing them through the leases: the second joins and
#     gets its fair share (ceil(cities / workers)), the CPU of each, and the
#     failover time when one is killed (SIGKILL: no release) until the other
#     publishes every city again.
# The feed moves SPEED times faster than real time and the worker polls
# every 12 s of feed time (12 / SPEED s of real time): CPU per poll is that
# of a real 12 s poll, the bench just takes less time.  Prints the figures
# docs/scaling.md uses; exits 1 when one worker cannot keep up with ten
# cities (CPU per poll above the poll period) or a failover takes longer
# than two lease periods.
#
#   sh bench/cities.sh [WINDOW_POLLS]     (default 20; after `make`)
use strict;
use warnings;
use File::Path qw(make_path);
use JSON::PP;
use MTW::Test;
use POSIX qw(sysconf _SC_CLK_TCK);
use Time::HiRes qw(time sleep);

my $POLLS = shift // 20;
my $CITIES = $ENV{MTW_BENCH_CITIES} // 10;
my $SPEED = 6;
my $POLL_FEED_S = 12;
my $POLL_MS = int(1000 * $POLL_FEED_S / $SPEED);
my $LEASE_MS = 30000;                   # the worker's default
my $TICK = sysconf(_SC_CLK_TCK);

my $t = MTW::Test->new;
my $dir = $t->dir;
my $zip = $t->data_file('saskatoon/gtfs-2025-06-29.zip');
my $live = "$dir/live";
make_path($live);
$t->start_postgres;
$t->start_redis;
my ($rc, $out, $err) = $t->worker('migrate');
die "migrate: $err" if $rc;
my @slugs = map { sprintf 'city%02d', $_ } 1 .. $CITIES;
my $t0 = time;
for my $slug (@slugs) {
    ($rc, $out, $err) = $t->worker('gtfs-load', '--city', $slug, '--quiet', $zip);
    die "gtfs-load $slug: $err" if $rc;
}
printf "cities bench: %d copies of the Saskatoon timetable loaded in %.1f s\n",
    $CITIES, time - $t0;

$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    etag off;
    if_modified_since off;
    location /live/ { alias $live/; }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port . '/live';
$t->psql("UPDATE city SET gtfs_rt_vehicles_url = '$base/VehiclePositions.pb',
    gtfs_rt_trips_url = '$base/TripUpdates.pb', gtfs_rt_alerts_url = '$base/Alerts.pb'");
$t->start_worker('sim', 'simulate', '--gtfs', $zip, '--out', $live,
    '--interval', sprintf('%.3f', $POLL_MS / 1000), '--speed', $SPEED,
    '--date', '2025-07-02', '--clock', 'feed', '--start', '07:45:00',
    '--delay-profile', 'heavy');
MTW::Test::wait_for('first frame', 60, sub { -e "$live/Alerts.pb" });

my $redis_before = used_memory();
my %env = (MTW_CLOCK => 'feed', MTW_SERVICE_DATE => '2025-07-02',
    MTW_POLL_MS => $POLL_MS, MTW_LEASE_MS => $LEASE_MS, MTW_WEATHER_SEC => 0,
    MTW_LOG_LEVEL => 'info');

sub used_memory {
    my ($info) = $t->redis_cmd('INFO', 'memory') =~ /used_memory:(\d+)/;
    return $info;
}
sub cpu_ticks {
    my ($pid) = @_;
    my @f = split ' ', (MTW::Test::slurp("/proc/$pid/stat") =~ /\)\s(.*)/)[0];
    return $f[11] + $f[12];             # utime, stime (fields 14, 15)
}
sub rss_kb {
    my ($pid) = @_;
    my ($kb) = MTW::Test::slurp("/proc/$pid/status") =~ /VmRSS:\s+(\d+)/;
    return $kb;
}
sub feed_ts { $t->redis_cmd('HGET', "mtw:$_[0]:vehicles", 'ts') // 0 }
sub holder {
    my $v = $t->redis_cmd('GET', "mtw:$_[0]:lease") // '';
    return $v =~ /:(\d+):/ ? $1 : 0;
}
sub logged { $t->psql('SELECT count(*) FROM arrival_log') }

# ---- 1. one worker, ten cities -------------------------------------------
my $pid = $t->start_worker('one', \%env, 'run');
MTW::Test::wait_for('every city published', 120, sub { !grep { !feed_ts($_) } @slugs });
# warm-up: schedules built, the first documents written
my $ts = feed_ts($slugs[0]);
MTW::Test::wait_for('warm-up polls', 120, sub { feed_ts($slugs[0]) >= $ts + 3 * $POLL_FEED_S });
my ($c0, $w0, $rows0, $feed0) = (cpu_ticks($pid), time, logged(), feed_ts($slugs[0]));
MTW::Test::wait_for("$POLLS polls", 60 + 3 * $POLLS * $POLL_MS / 1000,
    sub { sleep 0.2; feed_ts($slugs[$#slugs]) >= $feed0 + $POLLS * $POLL_FEED_S });
my ($c1, $w1, $rows1, $feed1) = (cpu_ticks($pid), time, logged(), feed_ts($slugs[0]));
my $polls = ($feed1 - $feed0) / $POLL_FEED_S;
my $cpu_s = ($c1 - $c0) / $TICK;
my $cpu_poll_ms = 1000 * $cpu_s / $polls;       # all cities, one poll
my $per_city_ms = $cpu_poll_ms / $CITIES;
my $rss = rss_kb($pid) / 1024;
my $redis = (used_memory() - $redis_before) / $CITIES / 1048576;
my $keys = $t->redis_cmd('DBSIZE');

# PostgreSQL: rows logged in the window against the stop visits the
# timetable had in it, and the day's visits
my $city1 = $t->city_id($slugs[0]);
my $day = '2025-07-02';
my $trips_today = "SELECT trip_id FROM trips WHERE city_id = $city1 AND service_id IN (
    SELECT service_id FROM calendar WHERE city_id = $city1 AND wednesday = 1
    AND '$day' BETWEEN start_date AND end_date)";
my $visits_day = $t->psql("SELECT count(*) FROM stop_times WHERE city_id = $city1
    AND trip_id IN ($trips_today)");
my $midnight = $t->psql("SELECT extract(epoch FROM '$day'::date::timestamp
    AT TIME ZONE (SELECT timezone FROM city WHERE id = $city1))::bigint");
my ($a0, $a1) = ($feed0 - $midnight, $feed1 - $midnight);
my $visits_window = $t->psql("SELECT count(*) FROM stop_times WHERE city_id = $city1
    AND trip_id IN ($trips_today) AND arrival_time >= $a0 AND arrival_time < $a1");
my $rows_window = ($rows1 - $rows0) / $CITIES;
my $share = $visits_window ? $rows_window / $visits_window : 0;
my $rows_day = $share * $visits_day;
my $bytes_row = $t->psql("SELECT (pg_total_relation_size('arrival_log')
    / greatest(count(*), 1))::int FROM arrival_log");
my $exc_window = $t->psql("SELECT count(*) FROM service_exception") / $CITIES;
my $trips_day = $t->psql("SELECT count(*) FROM ($trips_today) x");

printf "cities bench: one worker, %d cities, %.0f polls of %d s feed time "
    . "(%.1f s real each): %.1f ms CPU per poll for all cities, %.2f ms per "
    . "city (%.2f %% of a core per city at %d s polls); RSS %.0f MiB\n",
    $CITIES, $polls, $POLL_FEED_S, $POLL_MS / 1000, $cpu_poll_ms, $per_city_ms,
    100 * $per_city_ms / ($POLL_FEED_S * 1000), $POLL_FEED_S, $rss;
printf "cities bench: Redis %.2f MiB per city (%d keys in all)\n", $redis, $keys;
printf "cities bench: PostgreSQL per city: %.0f arrivals logged over %d s of feed "
    . "time (%.0f %% of the %d scheduled stop visits); a day: ~%.0f arrival_log rows "
    . "(%d visits scheduled) x %d bytes with indexes = ~%.1f MB; service_exception: "
    . "%.0f rows in the window (heavy profile; at most about one per trip run, %d "
    . "runs a day)\n", $rows_window, $a1 - $a0, 100 * $share, $visits_window,
    $rows_day, $visits_day, $bytes_row, $rows_day * $bytes_row / 1e6, $exc_window,
    $trips_day;
my $keeps_up = $cpu_poll_ms < $POLL_FEED_S * 1000;

# ---- 2. two workers, one killed ------------------------------------------
$t->stop_worker('one');
for my $slug (@slugs) {
    $t->redis_cmd('DEL', "mtw:$slug:lease");
}
my $pa = $t->start_worker('a', \%env, 'run');
MTW::Test::wait_for('a holds every city', 120, sub { !grep { holder($_) != $pa } @slugs });
my $j0 = time;
my $pb = $t->start_worker('b', \%env, 'run');
my $half = int($CITIES / 2);
MTW::Test::wait_for('the fair share', 120, sub {
    my $on_b = grep { holder($_) == $pb } @slugs;
    my $on_a = grep { holder($_) == $pa } @slugs;
    return $on_a + $on_b == $CITIES && $on_b >= $half;
});
my @on_a = grep { holder($_) == $pa } @slugs;
printf "cities bench: a second worker joining got its fair share in %.1f s: "
    . "%d / %d cities\n", time - $j0, scalar @on_a, $CITIES - @on_a;
# both publishing their cities: CPU of each over a window
my %ca = (a => cpu_ticks($pa), b => cpu_ticks($pb));
my $f0 = feed_ts($slugs[0]);
MTW::Test::wait_for('a window with two', 120,
    sub { sleep 0.2; !grep { feed_ts($_) < $f0 + 10 * $POLL_FEED_S } @slugs });
my $p2 = (feed_ts($slugs[0]) - $f0) / $POLL_FEED_S;
printf "cities bench: two workers: %.1f and %.1f ms CPU per poll (%d and %d cities)\n",
    1000 * (cpu_ticks($pa) - $ca{a}) / $TICK / $p2,
    1000 * (cpu_ticks($pb) - $ca{b}) / $TICK / $p2, scalar @on_a, $CITIES - @on_a;
# the victim is the one holding more (a when equal)
my ($victim, $survivor) = @on_a * 2 >= $CITIES ? ($pa, $pb) : ($pb, $pa);
my @moved = grep { holder($_) == $victim } @slugs;
my %seen = map { $_ => feed_ts($_) } @slugs;
my $k0 = time;
kill 'KILL', $victim;
waitpid $victim, 0;
delete $t->{procs}{ $victim == $pa ? 'worker-a' : 'worker-b' };
my %back;
MTW::Test::wait_for('failover', 4 * $LEASE_MS / 1000 + 30, sub {
    for my $slug (@moved) {
        next if $back{$slug};
        $back{$slug} = time - $k0
            if holder($slug) == $survivor && feed_ts($slug) > $seen{$slug};
    }
    sleep 0.1;
    return keys %back == @moved;
});
my @f = sort { $a <=> $b } values %back;
printf "cities bench: SIGKILL of the worker holding %d cities: the other "
    . "published them again after %.1f s (first) to %.1f s (last); lease %d ms\n",
    scalar @moved, $f[0], $f[-1], $LEASE_MS;
my $failover_ok = $f[-1] <= 2 * $LEASE_MS / 1000;
$t->stop_worker($survivor == $pa ? 'a' : 'b');
$t->stop_worker('sim');

printf "cities bench: %s\n", join '; ',
    ($keeps_up ? 'one worker keeps up' : 'one worker does NOT keep up')
    . sprintf(' (%.0f ms CPU per %d s poll: %.1f %% of a core for %d cities)',
              $cpu_poll_ms, $POLL_FEED_S, $cpu_poll_ms / ($POLL_FEED_S * 10), $CITIES),
    ($failover_ok ? 'failover within two lease periods' : 'failover too slow');
exit($keeps_up && $failover_ok ? 0 : 1);
