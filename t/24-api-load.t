# Several worker processes under load: one Redis connection per worker
# shared by all its requests, clients that go away while their request
# waits for Redis (the late replies must touch nothing), and
# `nginx -s reload` under load without one failed request.
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);

my $t = MTW::Test->new;
$t->start_redis(args => [ '--enable-debug-command', 'yes' ]);
MTW::ApiSeed::seed($t);
$t->start_nginx(<<'CONF', workers => 3);
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_timeout 2s;
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

my @paths = ('/api/score', '/api/stops/3734/predictions', '/api/v1/routes/14514',
             '/api/stops?name=prim', '/api/stops/3734/nearby', '/api/realtime?route_id=14514');

sub nginx_clients {
    my $list = $t->redis_cmd('CLIENT', 'LIST');
    my @lines = grep { !/cmd=client/ } split /\n/, $list;
    return scalar @lines;
}

# --- several workers, one pipelined connection each -------------------------
my @res = MTW::ApiSeed::load($t, clients => 6, secs => 3, paths => \@paths,
                             keep_alive => 1);
cmp_ok(scalar @res, '>', 300, 'load over 3 workers (' . scalar(@res) . ' requests)');
is(scalar(grep { $_->[0] != 200 } @res), 0, 'every request answered 200');
my $conns = nginx_clients();
cmp_ok($conns, '>=', 1, "the workers talk to Redis ($conns connections)");
cmp_ok($conns, '<=', 3, '... at most one connection per worker process');

# --- clients leaving while their request waits for Redis --------------------
my $port = $t->nginx_port;
my $sleeper = fork // die;
if (!$sleeper) {
    $t->redis_cmd('DEBUG', 'SLEEP', '0.8');
    POSIX::_exit(0);
}
sleep 0.1;
my $gone = 0;
for my $i (1 .. 60) {
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port) or next;
    print $s "GET $paths[$i % @paths] HTTP/1.1\r\nHost: x\r\n\r\n";
    close $s;
    $gone++;
}
# and a few that stay, in parallel with others that leave
@res = MTW::ApiSeed::load($t, clients => 3, secs => 1.5, paths => \@paths,
    during => sub {
        for my $i (1 .. 100) {
            my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port)
                or next;
            print $s "GET $paths[$i % @paths] HTTP/1.1\r\nHost: x\r\n\r\n";
            close $s;
            $gone++;
            sleep 0.01;
        }
    });
waitpid $sleeper, 0;
cmp_ok($gone, '>=', 100, "$gone clients left before their answer");
is(scalar(grep { $_->[0] != 200 } @res), 0,
   'the clients that stayed got 200 (' . scalar(@res) . ')');
sleep 0.3;
$t->check_requests([ { path => '/api/score', status => 200 } ]);
my $gone_logged = () = MTW::Test::slurp($t->dir . '/nginx/logs/access.log') =~ /" 499 /g;
# how many land inside the Redis stall depends on the machine's load; one
# proves the client-gone path ran (the error-log scan and ASan check it)
cmp_ok($gone_logged, '>=', 1,
       "nginx finalized $gone_logged requests whose client left (499) before Redis answered");

# --- nginx -s reload under load -------------------------------------------------
my $master = MTW::Test::read_pidfile($t->dir . '/nginx/nginx.pid');
my $before = join ' ', sort split /\s+/, `pgrep -P $master`;
my @reloads;
@res = MTW::ApiSeed::load($t, clients => 4, secs => 4, paths => \@paths,
    during => sub {
        for (1 .. 2) {
            sleep 1;
            my ($rc, $out, $err) = $t->nginx_cmd('-s', 'reload');
            push @reloads, $rc;
        }
    });
is("@reloads", '0 0', 'nginx -s reload twice');
cmp_ok(scalar @res, '>', 200, 'load across the reloads (' . scalar(@res) . ' requests)');
my @failed = grep { $_->[0] != 200 } @res;
is(scalar @failed, 0, 'no request failed across the reloads')
    or diag(join "\n", map { "@$_" } @failed[0 .. ($#failed < 5 ? $#failed : 5)]);
MTW::Test::wait_for('old workers to exit', 10, sub {
    my @now = split /\s+/, `pgrep -P $master`;
    @now == 3 && !grep { my $p = $_; grep { $_ eq $p } split / /, $before } @now;
});
pass('new workers replaced the old ones');
$t->check_requests([ { path => '/api/score', status => 200 } ]);
MTW::Test::wait_for('old workers to close their Redis connections', 5,
                    sub { nginx_clients() <= 3 });
pass('the old workers closed their Redis connections');

$t->done;
