# `mtw-worker simulate`: the project's demo GTFS feed is valid (gtfs-load
# takes it), frames are deterministic per seed, vehicles and TripUpdates
# agree, delay profiles produce late trips (bunching) and cancellations
# (gaps), files are replaced atomically while it runs, and the worker
# ingests them end to end through nginx.
use strict;
use warnings;
use File::Path qw(make_path);
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep time);
use MTW::Test;

my $t = MTW::Test->new;
my $dir = $t->dir;
my $json = JSON::PP->new->utf8;
my $zip = "$dir/demo.zip";

my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
is($rc, 0, '--demo-gtfs writes a feed') or diag($err);
ok(-s $zip, 'demo zip is not empty');

$t->start_postgres;
($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate');
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'demo', $zip);
is($rc, 0, 'gtfs-load accepts the demo feed') or diag($err);
is($t->psql("SELECT count(*) FROM routes r JOIN city c ON c.id = r.city_id WHERE c.slug = 'demo'"), 3, 'demo feed: 3 routes');

sub frame {
    my ($outdir, @args) = @_;
    make_path($outdir);
    my ($frc, $fout, $ferr) = $t->worker('simulate', '--gtfs', $zip, '--out', $outdir, '--once', @args);
    die "simulate failed: $ferr" if $frc != 0;
    my $stats = $json->decode($fout);
    my %feed;
    for my $f (qw(VehiclePositions TripUpdates Alerts)) {
        my ($drc, $dout) = $t->worker('decode', "$outdir/$f.pb");
        die "decode $f failed" if $drc != 0;
        $feed{$f} = $json->decode($dout);
    }
    return ($stats, \%feed);
}

my @at = ('--date', '2025-07-02', '--clock', 'feed', '--start', '08:00:00');
my ($s1, $f1) = frame("$dir/a", @at, '--seed', 42);
my ($s2, $f2) = frame("$dir/b", @at, '--seed', 42);
my ($s3, $f3) = frame("$dir/c", @at, '--seed', 43);
cmp_ok($s1->{vehicles}, '>=', 10, "vehicles at 08:00 ($s1->{vehicles})");
is(MTW::Test::slurp("$dir/a/VehiclePositions.pb"), MTW::Test::slurp("$dir/b/VehiclePositions.pb"), 'same seed: same vehicles');
is(MTW::Test::slurp("$dir/a/TripUpdates.pb"), MTW::Test::slurp("$dir/b/TripUpdates.pb"), 'same seed: same trip updates');
isnt(MTW::Test::slurp("$dir/a/TripUpdates.pb"), MTW::Test::slurp("$dir/c/TripUpdates.pb"), 'another seed: other delays');

# header time is the service date at 08:00 America/Regina (UTC-6)
is($f1->{VehiclePositions}{header}{timestamp}, 1751464800, '--clock feed: timestamps on the service date');
is($s1->{service_date}, 20250702, 'service date played');

# vehicles and trip updates agree
my %tu = map { $_->{trip_update}{trip}{trip_id} => $_->{trip_update} } @{ $f1->{TripUpdates}{entity} };
my ($agree, $ordered, $inbox) = (0, 0, 0);
my @ents = @{ $f1->{VehiclePositions}{entity} };
for my $e (@ents) {
    my $v = $e->{vehicle};
    my $u = $tu{ $v->{trip}{trip_id} } or next;
    my $first = $u->{stop_time_update}[0];
    $agree++ if $first->{stop_id} eq $v->{stop_id} && $u->{vehicle}{id} eq $v->{vehicle}{id};
    my @times = map { $_->{arrival}{time} } @{ $u->{stop_time_update} };
    $ordered++ unless grep { $times[$_] < $times[$_ - 1] } 1 .. $#times;
    $inbox++ if abs($v->{position}{latitude} - 52.13) < 0.1 && abs($v->{position}{longitude} + 106.66) < 0.1;
}
is($agree, scalar @ents, 'every vehicle has a TripUpdate starting at its next stop, same vehicle id');
is($ordered, scalar @ents, 'predicted times never go backwards along a trip');
is($inbox, scalar @ents, 'vehicles are where the routes are');
is(scalar @{ $f1->{Alerts}{entity} }, 2, 'two alerts');
like($f1->{Alerts}{entity}[0]{alert}{header_text}{translation}[0]{text}, qr/Detour on route/, 'alert text');

# profile none: every prediction exactly on schedule
my ($sn, $fn) = frame("$dir/none", @at, '--delay-profile', 'none');
my @delays = map { $_->{arrival}{delay} } map { @{ $_->{trip_update}{stop_time_update} || [] } } @{ $fn->{TripUpdates}{entity} };
ok(@delays && !grep({ $_ != 0 } @delays), 'profile none: all delays 0');

# heavy profile over the day: some trips far behind, some cancelled
my ($late, $cancelled) = (0, 0);
for my $h (7 .. 19) {
    my ($sh, $fh) = frame("$dir/heavy", '--date', '2025-07-02', '--clock', 'feed',
                          '--start', sprintf('%02d:00:00', $h), '--delay-profile', 'heavy', '--seed', 5);
    $cancelled += $sh->{canceled};
    $late += grep { ($_->{trip_update}{stop_time_update}[0]{arrival}{delay} // 0) > 300 } @{ $fh->{TripUpdates}{entity} };
}
cmp_ok($late, '>', 0, "heavy profile: trips more than 5 min late ($late)");
cmp_ok($cancelled, '>', 0, "heavy profile: cancelled trips ($cancelled)");

# running: frames replace the files atomically and the clock moves
my $live = "$dir/live";
make_path($live);
$t->start_worker('sim', 'simulate', '--gtfs', $zip, '--out', $live, '--interval', '0.2',
                 '--speed', '60', '--date', '2025-07-02', '--clock', 'feed', '--start', '08:00:00');
MTW::Test::wait_for('first frame', 10, sub { -e "$live/Alerts.pb" });
my ($reads, $bad, %ts) = (0, 0);
my $until = time + 1.5;
while (time < $until) {
    my ($drc, $dout) = $t->worker('decode', "$live/VehiclePositions.pb");
    $reads++;
    if ($drc != 0) { $bad++; next }
    $ts{ $json->decode($dout)->{header}{timestamp} } = 1;
}
is($bad, 0, "files always whole while being rewritten ($reads reads)");
cmp_ok(scalar keys %ts, '>=', 2, 'header time advances between frames');

# end to end: nginx serves the folder, the worker ingests it
$t->start_redis;
$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    location /feeds/ { alias $live/; }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';
$t->start_worker('run', { MTW_CITY => 'demo', MTW_CLOCK => 'feed', MTW_POLL_MS => 200,
    MTW_VEHICLES_URL => "$base/VehiclePositions.pb", MTW_TRIPS_URL => "$base/TripUpdates.pb",
    MTW_ALERTS_URL => "$base/Alerts.pb", MTW_ALERTS_POLL_SEC => 0.5 }, 'run');
MTW::Test::wait_for('demo published', 15, sub {
    ($t->redis_cmd('HGET', 'mtw:demo:heartbeat', 'vehicles_entities') // 0) > 0
        && ($t->redis_cmd('HGET', 'mtw:demo:heartbeat', 'alerts_entities') // 0) == 2 });
pass('the worker publishes the simulated feeds');
cmp_ok($t->redis_cmd('ZCARD', 'mtw:demo:geo:vehicles'), '>', 0, 'simulated buses in the GEO set');
my $near = $t->redis_cmd('GEORADIUS', 'mtw:demo:geo:vehicles', -106.66, 52.13, 10, 'km');
cmp_ok(scalar @{ $near || [] }, '>', 0, 'radius query finds them');
($rc) = $t->stop_worker('run');
is($rc, 0, 'worker exits 0');
($rc) = $t->stop_worker('sim');
is($rc, 0, 'simulator exits 0 on SIGTERM');

# a real feed: Saskatoon's 2025 schedule, today mapped into its range
{
    my $sask = $t->data_file('saskatoon/gtfs-2025-06-29.zip');
    make_path("$dir/sask");
    my ($src, $sout, $serr) = $t->worker('simulate', '--gtfs', $sask, '--out', "$dir/sask", '--once',
                                         '--date', 'auto', '--clock', 'feed', '--start', '08:00:00');
    is($src, 0, 'Saskatoon: simulates') or diag($serr);
    my $st = $json->decode($sout);
    ok($st->{service_date} >= 20250629 && $st->{service_date} <= 20250830, "Saskatoon: date auto maps into the feed ($st->{service_date})");
    cmp_ok($st->{vehicles}, '>=', 10, "Saskatoon: buses at 08:00 ($st->{vehicles})");
}

# frequency-based trips (frequencies.txt): every run is a bus of its own
{
    my $bull = $t->data_file('bullrunner/gtfs.zip');
    make_path("$dir/bull");
    my ($brc, $bout, $berr) = $t->worker('simulate', '--gtfs', $bull, '--out', "$dir/bull", '--once',
                                         '--date', '2020-06-03', '--clock', 'feed', '--start', '10:00:00');
    is($brc, 0, 'Bull Runner: simulates') or diag($berr);
    cmp_ok($json->decode($bout)->{vehicles}, '>=', 5, 'Bull Runner: frequency-based runs are played');
    my ($drc, $dout) = $t->worker('decode', "$dir/bull/VehiclePositions.pb");
    my @v = map { $_->{vehicle} } @{ $json->decode($dout)->{entity} };
    my %start = map { ($_->{trip}{trip_id} . ' ' . ($_->{trip}{start_time} // '')) => 1 } @v;
    is(scalar keys %start, scalar @v, 'Bull Runner: each run has its own trip_id + start_time');
}

# bad input
($rc, $out, $err) = $t->worker('simulate', '--gtfs', "$dir/missing.zip", '--out', $live, '--once');
is($rc, 1, 'missing zip: exit 1');
like($err, qr/missing\.zip/, 'missing zip: says which');
($rc, $out, $err) = $t->worker('simulate', '--gtfs', $zip, '--out', "$dir/nope", '--once');
is($rc, 1, 'missing out folder: exit 1');
($rc, $out, $err) = $t->worker('simulate', '--gtfs', $zip, '--out', $live, '--delay-profile', 'wild');
is($rc, 2, 'unknown profile: exit 2');
$t->done;
