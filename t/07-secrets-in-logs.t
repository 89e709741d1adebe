# No password reaches a log line.  The whole stack runs with fake secrets
# in MTW_DATABASE_URL, MTW_REDIS_URL and mtw_redis_password, through its
# happy path and its failures (a refused Redis password, an unreachable
# database, bad configuration); then every log and every command's output
# is scanned for the secrets.
use strict;
use warnings;
use File::Find;
use File::Path qw(make_path);
use IO::Socket::INET;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my $dir = $t->dir;
my $pg_secret = 'PgSecr3t-7f1d2c';
my $redis_secret = 'RdSecr3t-9a2b4e';
my @outputs;                # every command's stdout and stderr

my $zip = "$dir/demo.zip";
my $frame = "$dir/frame";
make_path($frame);
my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
is($rc, 0, 'demo feed') or diag($err);
($rc, $out, $err) = $t->worker('simulate', '--gtfs', $zip, '--out', $frame, '--once',
    '--date', '2025-07-02', '--clock', 'feed', '--start', '08:00:00');
is($rc, 0, 'a frame') or diag($err);

my $admin = $t->start_postgres;
$t->psql("CREATE ROLE mtw_sec LOGIN SUPERUSER PASSWORD '$pg_secret'");
(my $db = $admin) =~ s{//postgres\@}{//mtw_sec:$pg_secret\@};
my $port = $t->port('pg');
my $db_down = "postgresql://mtw_sec:$pg_secret\@127.0.0.1:1/mtw";

$t->start_redis;
is($t->redis_cmd('CONFIG', 'SET', 'requirepass', $redis_secret), 'OK', 'Redis wants a password');
my $redis = 'redis://:' . $redis_secret . '@127.0.0.1:' . $t->redis_port;
my $redis_wrong = 'redis://:Wr0ng-' . $redis_secret . '@127.0.0.1:' . $t->redis_port;

sub run_worker {
    my ($env, @args) = @_;
    my @r = $t->worker({ MTW_DATABASE_URL => $db, MTW_REDIS_URL => $redis, %$env }, @args);
    push @outputs, $r[1], $r[2];
    return @r;
}
($rc) = run_worker({}, 'migrate');
is($rc, 0, 'migrate with a password in the URL');
($rc) = run_worker({}, 'gtfs-load', '--city', 'demo', '--quiet', $zip);
is($rc, 0, 'gtfs-load with it');
($rc) = run_worker({ MTW_DATABASE_URL => $db_down }, 'migrate');
isnt($rc, 0, 'migrate against an unreachable database fails');
($rc) = run_worker({ MTW_REDIS_URL => 'redis://:' . $redis_secret . '@127.0.0.1:0' }, 'run');
isnt($rc, 0, 'run with a Redis URL it refuses (port 0) fails');
($rc) = run_worker({}, 'prune', '--days', 'x');
isnt($rc, 0, 'a bad argument fails');

$t->start_nginx(<<"CONF");
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_password $redis_secret;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ { mtw_api; mtw_city demo; }
        location /feeds/ { alias $frame/; }
    }
CONF
my $feeds = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';
my %env = (MTW_DATABASE_URL => $db, MTW_REDIS_URL => $redis, MTW_CITY => 'demo',
    MTW_CLOCK => 'feed', MTW_SERVICE_DATE => '2025-07-02', MTW_POLL_MS => 200,
    MTW_LOG_LEVEL => 'debug', MTW_VEHICLES_URL => "$feeds/VehiclePositions.pb",
    MTW_TRIPS_URL => "$feeds/TripUpdates.pb");
$t->start_worker('good', {%env}, 'run');
$t->start_worker('wrong', { %env, MTW_REDIS_URL => $redis_wrong }, 'run');
$t->start_worker('nodb', { %env, MTW_DATABASE_URL => $db_down, MTW_CITY => 'other' }, 'run');
MTW::Test::wait_for('the API answers from what the worker published', 30,
    sub { $t->get('/api/realtime')->{status} == 200 });
MTW::Test::wait_for('the wrong Redis password refused, logged', 30,
    sub { $t->worker_log('wrong') =~ /redis/i && $t->worker_log('wrong') =~ /WRONGPASS|invalid|auth/i });
MTW::Test::wait_for('the unreachable database logged', 30,
    sub { $t->worker_log('nodb') =~ /PostgreSQL|database/ });
$t->stop_worker($_) for 'good', 'wrong', 'nodb';
# nginx with a refused password: its log line
my $r = $t->get('/api/score');
my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->redis_port) or die;
print $s "*2\r\n\$4\r\nAUTH\r\n\$" . length($redis_secret) . "\r\n$redis_secret\r\n"
    . "*4\r\n\$6\r\nCONFIG\r\n\$3\r\nSET\r\n\$11\r\nrequirepass\r\n\$5\r\nother\r\n"
    . "*4\r\n\$6\r\nCLIENT\r\n\$4\r\nKILL\r\n\$4\r\nTYPE\r\n\$6\r\nnormal\r\n";
sleep 0.3;
MTW::Test::wait_for('nginx logs the refused AUTH', 10, sub {
    $t->get('/api/score');
    $t->error_log =~ /AUTH refused/;
});
($rc, $out, $err) = $t->nginx_test_conf("mtw_redis 127.0.0.1:1; mtw_redis_password $redis_secret x;");
push @outputs, $out, $err;
isnt($rc, 0, 'nginx -t refuses a bad mtw_redis_password line');

# every log and output
my @files;
find(sub { push @files, $File::Find::name if -f && (/\.log$/ || /^worker-/ || /^error/) }, $dir);
my (%hits, $bytes);
for my $f (@files) {
    my $text = MTW::Test::slurp($f);
    $bytes += length $text;
    for my $secret ($pg_secret, $redis_secret) {
        $hits{"$f: $1"} = 1 while $text =~ /^(.*\Q$secret\E.*)$/mg;
    }
}
for my $text (@outputs) {
    $bytes += length($text // '');
    for my $secret ($pg_secret, $redis_secret) {
        $hits{"output: $1"} = 1 while ($text // '') =~ /^(.*\Q$secret\E.*)$/mg;
    }
}
cmp_ok(scalar @files, '>=', 5, scalar(@files) . " log files, $bytes bytes scanned");
is_deeply([ sort keys %hits ], [], 'no secret in any log line or output');

$t->done;
