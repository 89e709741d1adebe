# History that survives a crash (jobs/history.h).  PostgreSQL crashes
# (durable cluster, immediate stop); the worker keeps detecting arrivals,
# which wait for PostgreSQL in its queue and in the queue's mirror in
# Redis; the worker is killed (SIGKILL: no goodbye); a second worker takes
# the lease and reads the mirror; PostgreSQL comes back.  Every row the
# killed worker left is in the tables exactly once, and the mirror
# empties.
use strict;
use warnings;
use File::Path qw(make_path);
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep);
use MTW::Test;

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
my %env = (MTW_CITY => 'demo', MTW_CLOCK => 'feed', MTW_SERVICE_DATE => '2025-07-02',
    MTW_POLL_MS => 200, MTW_SCORE_SEC => 10, MTW_LEASE_MS => 1000,
    MTW_VEHICLES_URL => "$base/VehiclePositions.pb",
    MTW_TRIPS_URL => "$base/TripUpdates.pb", MTW_ALERTS_URL => "$base/Alerts.pb");
$t->start_worker('one', {%env}, 'run');
sub count { $t->psql("SELECT count(*) FROM $_[0] WHERE city_id = $city") }
MTW::Test::wait_for('arrivals logged', 60, sub { sleep 0.2; count('arrival_log') >= 10 });

# the outage, then the worker dies while rows wait
$t->crash_postgres;
my $json = JSON::PP->new;
my @left;
# (20 arrivals, not 20 rows: bunching incidents share the list)
MTW::Test::wait_for('arrivals waiting in the Redis mirror', 60, sub {
    sleep 0.2;
    my $rows = $t->redis_cmd('LRANGE', 'mtw:demo:history:pending', 0, -1) || [];
    return (grep { $json->decode($_)->{k} eq 'a' } @$rows) >= 20;
});
kill 'KILL', $t->{procs}{'worker-one'};
$t->wait_worker('one', 10);
@left = map { $json->decode($_) } @{ $t->redis_cmd('LRANGE', 'mtw:demo:history:pending', 0, -1) };
my @arr = grep { $_->{k} eq 'a' } @left;
my @bun = grep { $_->{k} eq 'b' } @left;
cmp_ok(scalar @arr, '>=', 20, scalar(@arr) . ' arrivals and ' . scalar(@bun)
       . ' bunching incidents left by the killed worker');

# a second worker takes over, then PostgreSQL comes back
$t->start_worker('two', {%env}, 'run');
MTW::Test::wait_for('the second worker reads them', 30, sub {
    $t->worker_log('two') =~ /history demo: (\d+) arrivals and (\d+) bunching incidents left by the previous worker/;
});
my ($ra, $rb) = $t->worker_log('two') =~ /history demo: (\d+) arrivals and (\d+) bunching incidents left by the previous worker/;
cmp_ok($ra, '>=', scalar @arr, "... $ra arrivals queued");
$t->restart_postgres;
MTW::Test::wait_for('the mirror empties', 60, sub {
    sleep 0.2;
    ($t->redis_cmd('LLEN', 'mtw:demo:history:pending') // 0) == 0;
});
my @missing;
for my $a (@arr) {
    my $n = $t->psql("SELECT count(*) FROM arrival_log WHERE city_id = $city
        AND trip_id = " . quote($a->{trip}) . " AND service_date = to_date('$a->{date}', 'YYYYMMDD')
        AND trip_start_time = $a->{start} AND stop_sequence = $a->{seq}");
    push @missing, "$a->{trip}/$a->{seq} ($n)" if $n != 1;
}
is_deeply(\@missing, [], 'every arrival the killed worker left is logged exactly once');
my @missing_b;
for my $b (@bun) {
    my $n = $t->psql("SELECT count(*) FROM bunching_incident WHERE city_id = $city
        AND route_id = " . quote($b->{route}) . " AND stop_id = " . quote($b->{stop})
        . " AND detected_at = to_timestamp($b->{at})");
    push @missing_b, "$b->{route}/$b->{stop}/$b->{at} ($n)" if $n != 1;
}
is_deeply(\@missing_b, [], 'every bunching incident it left is recorded exactly once');
is($t->psql("SELECT count(*) FROM (SELECT 1 FROM arrival_log GROUP BY city_id,
    service_date, trip_id, trip_start_time, stop_sequence HAVING count(*) > 1) d"), 0,
   'no duplicate arrival');
is($t->redis_cmd('GET', 'mtw:demo:history:dropped') // 0, 0, 'nothing dropped');

$t->stop_worker('two');
$t->stop_worker('sim');
$t->done;

# an SQL literal of a value the test read back (ids of the demo feed)
sub quote {
    my ($s) = @_;
    die "unexpected id '$s'\n" unless $s =~ /\A[\w.:-]+\z/;
    return "'$s'";
}
