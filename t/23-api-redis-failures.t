# Redis trouble never hangs a client nor needs an nginx restart: Redis down
# when nginx starts (503 at once, then 200 once it is up; the load
# balancer's /api/livez follows Redis, never the worker's heartbeat: a
# missing or stale heartbeat fails /api/readyz only), Redis killed in
# the middle of a load and started again (503 quickly, then 200 again), and
# a Redis stuck in DEBUG SLEEP (503 within mtw_redis_timeout, then 200).
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;
use Time::HiRes qw(time sleep);

my $t = MTW::Test->new;
$t->start_nginx(<<'CONF', workers => 2);
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_timeout 500ms;
    mtw_redis_connect_timeout 500ms;
    gzip on;
    gzip_min_length 100;
    gzip_types application/json;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ {
            mtw_api;
            mtw_city saskatoon;
            mtw_cors_origins https://mind-the-wait.ca capacitor://localhost;
            mtw_openapi %%ROOT%%/docs/openapi.json;
        }
    }
CONF

sub workers {
    my $master = MTW::Test::read_pidfile($t->dir . '/nginx/nginx.pid');
    return join ' ', sort split /\s+/, `pgrep -P $master`;
}
my $workers = workers();
like($workers, qr/^\d+ \d+$/, 'two nginx workers');

# --- Redis down at start ---------------------------------------------------
for my $path ('/api/score', '/api/stops/3734/predictions', '/api/readyz', '/api/livez') {
    my $t0 = time;
    my $r = $t->get($path);
    my $dt = time - $t0;
    is($r->{status}, 503, "Redis down: $path answers 503");
    cmp_ok($dt, '<', 0.4, "... at once (${\ sprintf '%.3f', $dt} s)");
    like($r->{headers}{'retry-after'} // '', qr/^\d+$/, '... with Retry-After');
    is(MTW::Test::json_of($r)->{error}{code}, 'redis_unavailable', '... redis_unavailable');
}
$t->check_requests([ { path => '/api/healthz', status => 200 } ]);

$t->start_redis(args => [ '--enable-debug-command', 'yes' ]);
MTW::ApiSeed::seed($t);
my $t0 = time;
MTW::Test::wait_for('the API to answer from Redis', 5,
                    sub { $t->get('/api/score')->{status} == 200 });
cmp_ok(time - $t0, '<', 3, 'Redis up: 200 within the reconnect backoff');
$t->check_requests([ { path => '/api/readyz', status => 200 },
                     { path => '/api/livez', status => 200,
                       json => { status => 'live', redis => 'ok' } } ]);

# the worker stops (no heartbeat): not ready, still live
$t->redis_cmd('DEL', "mtw:$MTW::ApiSeed::CITY:heartbeat");
$t->check_requests([ { path => '/api/readyz', status => 503 },
                     { path => '/api/livez', status => 200 },
                     { path => '/api/livez?city=nowhere', status => 200 } ]);
MTW::ApiSeed::seed($t);

# --- Redis killed during a load, then started again -----------------------
my $killed_at;
my @res = MTW::ApiSeed::load($t, clients => 4, secs => 5,
    paths => [ '/api/score', '/api/stops/3734/predictions', '/api/v1/routes/14514' ],
    during => sub {
        sleep 1.5;
        $t->_stop_pidfile('redis', 'KILL');
        $killed_at = time;
        sleep 1.2;
        $t->start_redis(args => [ '--enable-debug-command', 'yes' ]);
        MTW::ApiSeed::seed($t);
    });
my %by;
$by{ $_->[0] }++ for @res;
diag(join ', ', map { "$_: $by{$_}" } sort keys %by);
cmp_ok(scalar @res, '>', 100, 'the load ran (' . scalar(@res) . ' requests)');
my @odd = grep { $_->[0] != 200 && $_->[0] != 503 } @res;
is(scalar @odd, 0, 'every answer is 200 or 503')
    or diag(join "\n", map { "@$_" } @odd[0 .. ($#odd < 5 ? $#odd : 5)]);
cmp_ok($by{503} // 0, '>', 0, 'Redis down: 503s');
my ($slowest) = sort { $b <=> $a } map { $_->[1] } grep { $_->[0] == 503 } @res;
cmp_ok($slowest // 0, '<', 1.5, 'every 503 came quickly (slowest '
       . sprintf('%.3f', $slowest // 0) . ' s)');
MTW::Test::wait_for('the API to recover', 5,
                    sub { $t->get('/api/score')->{status} == 200 });
pass('Redis back: 200 again without restarting nginx');
is(workers(), $workers, 'the same nginx workers (none restarted)');

# --- a slow Redis -----------------------------------------------------------
my $pid = fork // die;
if (!$pid) {
    $t->redis_cmd('DEBUG', 'SLEEP', '2');
    POSIX::_exit(0);
}
sleep 0.2;
$t0 = time;
my $r = $t->get('/api/v1/routes/14514');
my $dt = time - $t0;
is($r->{status}, 503, 'Redis asleep: 503');
is(MTW::Test::json_of($r)->{error}{code}, 'redis_timeout', '... redis_timeout');
cmp_ok($dt, '>=', 0.45, '... after mtw_redis_timeout');
cmp_ok($dt, '<', 1.5, '... and not much later (' . sprintf('%.3f', $dt) . ' s)');
waitpid $pid, 0;
MTW::Test::wait_for('the API to answer after the sleep', 5,
                    sub { $t->get('/api/v1/routes/14514')->{status} == 200 });
pass('Redis awake: 200 again');
is(workers(), $workers, 'still the same nginx workers');

# --- Redis closing idle connections (its `timeout`) -----------------------
$t->redis_cmd('CONFIG', 'SET', 'timeout', '1');
my @idle;
for (1 .. 3) {
    sleep 2.5;     # every worker's connection is closed by Redis meanwhile
    push @idle, $t->get('/api/score')->{status};
}
is("@idle", '200 200 200', 'connections closed while idle are opened again at once');
$t->redis_cmd('CONFIG', 'SET', 'timeout', '0');

like($t->error_log, qr/mtw redis: .*(lost|closing)/, 'the error log says what happened');

$t->done;
