# The module's debug log (nginx built --with-debug, `error_log ... debug`)
# follows a request's Redis round trip and the connection's events: the
# batch sent, each reply, a timeout, the detach, a late reply dropped, and
# the connection's own events (connect, write, read, each reply).
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;
use Time::HiRes qw(sleep);

my $t = MTW::Test->new;
my $dir = $t->dir;
$t->start_redis(args => [ '--enable-debug-command', 'yes' ]);
MTW::ApiSeed::seed($t);
$t->start_nginx(<<'CONF', main => "error_log $dir/debug.log debug;");
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_timeout 300ms;
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

my $r = $t->get('/api/v1/routes/14514');
is($r->{status}, 200, 'a document');

# a Redis that sleeps past mtw_redis_timeout: timeout, detach, late reply
my $pid = fork // die;
if (!$pid) {
    $t->redis_cmd('DEBUG', 'SLEEP', '1');
    POSIX::_exit(0);
}
sleep 0.2;
$r = $t->get('/api/score');
is($r->{status}, 503, 'Redis asleep: 503');
waitpid $pid, 0;
MTW::Test::wait_for('the late reply', 5, sub {
    MTW::Test::slurp("$dir/debug.log") =~ /late reply/;
});

my $log = MTW::Test::slurp("$dir/debug.log");
for my $line ('mtw fetch: sent 2 command(s) for "/api/v1/routes/14514"',
              'mtw fetch: reply 1 of 2, type 2',
              'mtw fetch: timeout, ticket',
              'mtw fetch: detach from ticket',
              'mtw fetch: late reply 0 for ticket',
              'mtw redis: connecting to 127.0.0.1:',
              'mtw redis: writable, fd:',
              'mtw redis: sent ',
              'mtw redis: readable, fd:',
              'mtw redis: reply type 2, 0 pending')
{
    ok(index($log, $line) >= 0, "debug: $line");
}

done_testing;
