# Feed failures never cost the last good snapshot: garbage bytes, empty
# bodies, outages (404), a header time going backwards, a server that never
# answers (timeout), Redis going away and coming back; retries back off;
# other feeds and cities carry on; the 2.5 MB Auckland feed goes through.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path);
use IO::Socket::INET;
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep time);
use MTW::Test;
use MTW::Pb;

my $t = MTW::Test->new;
my ($src, $akl) = $t->data_file('saskatoon/rt-2019-06-23', 'auckland/trip-updates-2014-11-30.pb');
my @steps = map { /VehiclePosition(\d+)\.pb$/ ? $1 : () } sort glob("$src/VehiclePosition*.pb");

my $feeds = $t->dir . '/feeds';
make_path($feeds);
$t->start_redis;
$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    location /feeds/ {
        alias $feeds/;
        gzip on;
        gzip_types application/octet-stream;
        gzip_min_length 100;
    }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';
my $n = 0;
sub put_file {
    my ($to, $bytes_or_file) = @_;
    my $tmp = "$feeds/.tmp" . ++$n;
    if (ref $bytes_or_file) { MTW::Test::spew($tmp, $$bytes_or_file) } else { copy($bytes_or_file, $tmp) or die }
    my $m = 1_500_000_000 + $n;     # distinct validators for every version
    utime $m, $m, $tmp;
    rename $tmp, "$feeds/$to" or die;
}
my $json = JSON::PP->new->utf8;
sub hget { $t->redis_cmd('HGET', @_) }
sub jget { my $v = hget($_[0], 'json'); defined $v ? $json->decode($v) : undef }
sub wire_ts { MTW::Pb::feed_summary(MTW::Test::slurp($_[0]))->{ts} }
sub requests {
    my ($path) = @_;
    my $log = MTW::Test::slurp("$t->{dir}/nginx/logs/access.log");
    return scalar(() = $log =~ /GET \/feeds\/\Q$path\E /g);
}

# A server that accepts connections and never answers.
my $hole = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0,
                                 Proto => 'tcp', ReuseAddr => 1) or die;
my $hole_url = 'http://127.0.0.1:' . $hole->sockport . '/Alerts.pb';

my $k = 10;
put_file('V.pb', "$src/VehiclePosition$steps[$k].pb");
put_file('T.pb', "$src/TripUpdates$steps[$k].pb");
put_file('A.pb', (glob("$src/Alerts*.pb"))[0]);
put_file('AKL.pb', $akl);
my %env = (MTW_POLL_MS => 100, MTW_TRIPS_POLL_SEC => 0.1, MTW_ALERTS_POLL_SEC => 0.2,
           MTW_BACKOFF_MAX_SEC => 0.8, MTW_HTTP_TIMEOUT_MS => 300, MTW_CLOCK => "feed");
$t->start_worker('sk', { %env, MTW_CITY => 'sk', MTW_VEHICLES_URL => "$base/V.pb",
    MTW_TRIPS_URL => "$base/T.pb", MTW_ALERTS_URL => "$base/A.pb" }, 'run');
# a second city in its own worker: the big feed, and alerts that time out
$t->start_worker('akl', { %env, MTW_CITY => 'akl', MTW_TRIPS_URL => "$base/AKL.pb",
    MTW_ALERTS_URL => $hole_url }, 'run');

my $good_ts = wire_ts("$src/VehiclePosition$steps[$k].pb");
MTW::Test::wait_for('first snapshot', 10, sub { (hget('mtw:sk:vehicles', 'ts') // 0) == $good_ts });
is(hget('mtw:sk:vehicles', 'stale'), '0', 'fresh snapshot is not stale');
my $good_json = hget('mtw:sk:vehicles', 'json');

# the worker asks for gzip: nginx sends the trips feed compressed
MTW::Test::wait_for('trips', 10, sub { hget('mtw:sk:trips', 'ts') });
my ($gz) = MTW::Test::slurp("$t->{dir}/nginx/logs/access.log") =~ /GET \/feeds\/T\.pb HTTP\/1\.1" 200 (\d+)/;
ok($gz && $gz < -s "$feeds/T.pb", "gzip: $gz bytes on the wire for a " . (-s "$feeds/T.pb") . "-byte feed, decoded");

# [name, body, error pattern]
my @bad = (
    [ 'garbage bytes', join('', map { chr(($_ * 131 + 7) % 256) } 1 .. 2000), qr/do not decode|header/ ],
    [ 'empty body', '', qr/empty body/ ],
    [ 'truncated protobuf', substr(MTW::Test::slurp("$src/VehiclePosition$steps[$k].pb"), 0, 200), qr/do not decode/ ],
);
for my $case (@bad) {
    my ($name, $body, $re) = @$case;
    put_file('V.pb', \$body);
    MTW::Test::wait_for("$name reported", 10, sub { (hget('mtw:sk:heartbeat', 'vehicles_error') // '') =~ $re });
    pass("$name: error in heartbeat");
    is(hget('mtw:sk:vehicles', 'ts'), $good_ts, "$name: last good snapshot kept");
    is(hget('mtw:sk:vehicles', 'json'), $good_json, "$name: same vehicles");
    MTW::Test::wait_for("$name stale", 5, sub { (hget('mtw:sk:vehicles', 'stale') // '') eq '1' });
    my $rich = jget('mtw:sk:rt:vehicles');
    ok($rich->{stale}, "$name: rich snapshot says stale: true");
    ok(defined $rich->{age_sec} && $rich->{age_sec} >= 0, "$name: age_sec published");
    is(hget('mtw:sk:heartbeat', 'trips_error'), '', "$name: trips feed carries on");
    is(hget('mtw:sk:trips', 'stale'), '0', "$name: trips not stale");
}

# Outage: 404 with backoff (100 ms period, cap 0.8 s).
unlink "$feeds/V.pb";
MTW::Test::wait_for('404 reported', 10, sub { (hget('mtw:sk:heartbeat', 'vehicles_error') // '') =~ /404/ });
my $r0 = requests('V.pb');
sleep 2;
my $during = requests('V.pb') - $r0;
cmp_ok($during, '<=', 6, "outage: backed off ($during requests in 2 s at a 100 ms period)");
cmp_ok($during, '>=', 1, 'outage: still retrying');
is(hget('mtw:sk:vehicles', 'ts'), $good_ts, 'outage: last good snapshot kept');
is(hget('mtw:sk:heartbeat', 'vehicles_stale'), '1', 'outage: heartbeat says stale');

# Recovery with a newer capture.
my $new_ts = wire_ts("$src/VehiclePosition$steps[$k + 1].pb");
put_file('V.pb', "$src/VehiclePosition$steps[$k + 1].pb");
MTW::Test::wait_for('recovery', 10, sub { (hget('mtw:sk:vehicles', 'ts') // 0) == $new_ts });
MTW::Test::wait_for('fresh again', 5, sub { (hget('mtw:sk:vehicles', 'stale') // '') eq '0' });
is(hget('mtw:sk:heartbeat', 'vehicles_error'), '', 'recovered: error cleared');

# Header time going backwards: ignored.
put_file('V.pb', "$src/VehiclePosition$steps[$k - 5].pb");
MTW::Test::wait_for('backwards reported', 10, sub { (hget('mtw:sk:heartbeat', 'vehicles_error') // '') =~ /backwards/ });
is(hget('mtw:sk:vehicles', 'ts'), $new_ts, 'older header ignored: snapshot kept');

# The Auckland feed (2.5 MB, 2,847 trip updates) in the other city.
MTW::Test::wait_for('auckland published', 20, sub { (hget('mtw:akl:heartbeat', 'trips_entities') // 0) == 2847 });
my $akl_trips = jget('mtw:akl:trips');
is(scalar @$akl_trips, 2847, 'Auckland: 2,847 trips published');
my $akl_rich = jget('mtw:akl:rt:trips');
ok((grep { grep { $_->{arr} && defined $_->{arr}{delay} } @{ $_->{stops} } } @{ $akl_rich->{trips} }),
   'Auckland: arrival delays kept in the rich JSON');
MTW::Test::wait_for('timeout reported', 10, sub { (hget('mtw:akl:heartbeat', 'alerts_error') // '') =~ /time/i });
like(hget('mtw:akl:heartbeat', 'alerts_error'), qr/timed? ?out/i, 'a server that never answers: timeout');
is(hget('mtw:akl:heartbeat', 'vehicles_error'), 'not configured', 'unconfigured feed says so');

# Redis goes away: polling continues; state is republished when it returns.
put_file('V.pb', "$src/VehiclePosition$steps[$k + 2].pb");
my $ts2 = wire_ts("$src/VehiclePosition$steps[$k + 2].pb");
$t->stop_redis;
my $r1 = requests('T.pb');
sleep 1;
cmp_ok(requests('T.pb') - $r1, '>=', 3, 'Redis down: the worker keeps polling');
put_file('V.pb', "$src/VehiclePosition$steps[$k + 3].pb");
my $ts3 = wire_ts("$src/VehiclePosition$steps[$k + 3].pb");
# ts3 is polled while Redis is down; finding it in the new (empty) Redis
# proves the state was kept and republished
sleep 0.5;
$t->start_redis;
MTW::Test::wait_for('republished after Redis returns', 15, sub { (hget('mtw:sk:vehicles', 'ts') // 0) == $ts3 });
pass('republished the newest snapshot after Redis returned');
MTW::Test::wait_for('other city too', 15, sub { (hget('mtw:akl:heartbeat', 'trips_entities') // 0) == 2847 });
pass('the other city is republished too');

for my $w (qw(sk akl)) {
    my ($rc, $secs) = $t->stop_worker($w);
    is($rc, 0, "$w worker still alive and exits 0");
}
like($t->worker_log('sk'), qr/redis (unavailable|\w+ failed)/, 'Redis outage logged');
like($t->worker_log('sk'), qr/redis connected again/, 'Redis return logged');
close $hole;
$t->done;
