# Every real service the harness starts: Redis, PostgreSQL and the worker
# daemon keeping its heartbeat in Redis, stopped cleanly by SIGTERM.
use strict;
use warnings;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
$t->start_redis;
is($t->redis_cmd('PING'), 'PONG', 'redis answers');

$t->start_postgres;
is($t->psql('SELECT 40 + 2'), '42', 'postgres answers');
like($t->psql('SHOW server_version'), qr/^\d+/, 'postgres has a version');

$t->start_worker('daemon', { MTW_CITY => 'testville', MTW_POLL_SEC => 1 }, 'run');
my $hb;
MTW::Test::wait_for('worker heartbeat', 10, sub {
    $hb = $t->redis_cmd('HGET', 'mtw:testville:heartbeat', 'ts');
    defined $hb && $hb =~ /^\d+$/;
});
cmp_ok(abs($hb - time), '<', 30, 'heartbeat timestamp is now');

my ($rc, $secs) = $t->stop_worker('daemon');
is($rc, 0, 'worker exits 0 on SIGTERM');
cmp_ok($secs, '<', 5, 'worker stops within 5 s');

$t->done;
