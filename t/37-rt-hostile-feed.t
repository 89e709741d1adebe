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

# --- feeds that would eat the worker's memory ---------------------------------
# 8 MiB of the cheapest entity on the wire (4 bytes: an entity with an
# empty id), 2,097,152 of them; unpacked whole, that took 344 MB.  One
# worker accepts bodies that large (MTW_RT_MAX_BYTES) and refuses the
# entity count (MTW_RT_MAX_ENTITIES, 100,000) before unpacking; one keeps
# the default body cap (4 MiB).  Both start on the good frame and keep it.
my $hostile = "$frame/hostile.pb";
{
    open my $fh, '>', $hostile or die;
    print $fh "\x0a\x05\x0a\x032.0", "\x12\x02\x0a\x00" x (2 * 1024 * 1024);
    close $fh;
}
MTW::Test::spew("$frame/V.pb", MTW::Test::slurp("$frame/VehiclePositions.pb"));
$t->start_worker('entities', { %env, MTW_CITY => 'entities', MTW_RT_MAX_BYTES => 16 << 20,
    MTW_VEHICLES_URL => "$base/feeds/V.pb" }, 'run');
$t->start_worker('bytes', { %env, MTW_CITY => 'bytes',
    MTW_VEHICLES_URL => "$base/feeds/V.pb" }, 'run');
my %good_ts;
for my $city ('entities', 'bytes') {
    MTW::Test::wait_for("$city: the good frame", 20,
        sub { $good_ts{$city} = $t->redis_cmd('HGET', "mtw:$city:vehicles", 'ts') });
}
rename $hostile, "$frame/V.pb" or die "rename: $!";
MTW::Test::wait_for('both refused the hostile feed', 30, sub {
    $t->worker_log('entities') =~ /vehicles feed failed: .*entities/
        && $t->worker_log('bytes') =~ /vehicles feed failed: body larger/;
});
like($t->worker_log('entities'),
     qr/vehicles feed failed: 2097152 entities, more than the 100000 allowed \(MTW_RT_MAX_ENTITIES\)/,
     'too many entities: refused before unpacking, and the log says why');
like($t->worker_log('bytes'),
     qr/vehicles feed failed: body larger than 4194304 bytes \(MTW_RT_MAX_BYTES\)/,
     'a body over the cap: refused, and the log says why');
for my $city ('entities', 'bytes') {
    is($t->redis_cmd('HGET', "mtw:$city:vehicles", 'ts'), $good_ts{$city},
       "$city: the last good snapshot is kept");
}
my $rss = 0;
if (open my $st, '<', "/proc/$t->{procs}{'worker-entities'}/status") {
    ($rss) = join('', <$st>) =~ /VmHWM:\s+(\d+) kB/;
}
diag(sprintf 'worker peak RSS after an 8 MiB feed of 2,097,152 entities: %.1f MB', $rss / 1024);
cmp_ok($rss, '<', 100 * 1024, 'the worker never held the unpacked feed');
$t->stop_worker($_) for 'entities', 'bytes';

$t->done;

package MTW::Slurp;
sub access_log { MTW::Test::slurp("$_[0]{dir}/nginx/logs/access.log") }
