# A realtime feed is hostile input from the agency's server (plain http
# allowed): the worker fetches http and https only, and follows redirects
# only to them (never to file:// on its own disk, ftp://, ...).  Beside
# them, a worker on the same frame served straight shows the frame itself
# is good.
use strict;
use warnings;
use File::Path qw(make_path);
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my $dir = $t->dir;
my $zip = "$dir/demo.zip";
my $frame = "$dir/frame";
make_path($frame);

my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
is($rc, 0, 'demo feed') or diag($err);
($rc, $out, $err) = $t->worker('simulate', '--gtfs', $zip, '--out', $frame, '--once',
    '--date', '2025-07-02', '--clock', 'feed', '--start', '08:00:00');
is($rc, 0, 'one simulator frame') or diag($err);

$t->start_redis;
$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    location /feeds/ { alias $frame/; }
    # the agency's server sends the worker to its own disk
    location = /redirect/VehiclePositions.pb {
        return 302 file://$frame/VehiclePositions.pb;
    }
    location = /redirect-ftp/VehiclePositions.pb {
        return 302 ftp://127.0.0.1:%%PORT%%/VehiclePositions.pb;
    }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port;
my %env = (MTW_POLL_MS => 100, MTW_BACKOFF_MAX_SEC => 0.5, MTW_CLOCK => 'feed',
           MTW_LOG_LEVEL => 'debug');
$t->start_worker('good', { %env, MTW_CITY => 'good',
    MTW_VEHICLES_URL => "$base/feeds/VehiclePositions.pb" }, 'run');
$t->start_worker('redirect', { %env, MTW_CITY => 'redirect',
    MTW_VEHICLES_URL => "$base/redirect/VehiclePositions.pb" }, 'run');
$t->start_worker('ftp', { %env, MTW_CITY => 'ftp',
    MTW_VEHICLES_URL => "$base/redirect-ftp/VehiclePositions.pb" }, 'run');
$t->start_worker('file', { %env, MTW_CITY => 'file',
    MTW_VEHICLES_URL => "file://$frame/VehiclePositions.pb" }, 'run');

MTW::Test::wait_for('the frame served straight is ingested', 20,
    sub { $t->redis_cmd('HGET', 'mtw:good:vehicles', 'ts') });
for my $r ('redirect', 'redirect-ftp') {
    MTW::Test::wait_for("/$r/ asked twice", 20, sub {
        my $log = MTW::Slurp::access_log($t);
        return (() = $log =~ m{GET /\Q$r\E/VehiclePositions\.pb }g) >= 2
            && $t->worker_log($r eq 'redirect' ? 'redirect' : 'ftp')
               =~ /vehicles feed failed/;
    });
}
MTW::Test::wait_for('the file:// worker fetched or failed', 20, sub {
    $t->worker_log('file') =~ /vehicles feed failed/
        || $t->redis_cmd('HGET', 'mtw:file:vehicles', 'ts');
});
for my $city ('redirect', 'ftp', 'file') {
    is($t->redis_cmd('HGET', "mtw:$city:vehicles", 'ts'), undef,
       "$city: nothing published");
    like($t->worker_log($city),
         qr/vehicles feed failed: (?:Unsupported protocol|Protocol "\w+" not supported)/,
         "$city: the worker says the protocol is refused");
}
$t->stop_worker($_) for 'good', 'redirect', 'ftp', 'file';

$t->done;

package MTW::Slurp;
sub access_log { MTW::Test::slurp("$_[0]{dir}/nginx/logs/access.log") }
