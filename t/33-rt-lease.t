# One active ingester per city: two workers share a Redis lease; when the
# active one dies the other takes over within one lease period, and when it
# stops cleanly (SIGTERM) it releases the lease at once.  SIGTERM exits 0
# within 5 s even with a transfer hanging; SIGHUP re-reads --config FILE.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path);
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(sleep time);
use MTW::Test;
use MTW::Pb;

my $t = MTW::Test->new;
my $src = $t->data_file('saskatoon/rt-2019-06-23');
my @steps = map { /VehiclePosition(\d+)\.pb$/ ? $1 : () } sort glob("$src/VehiclePosition*.pb");
my $feeds = $t->dir . '/feeds';
make_path($feeds);
copy("$src/VehiclePosition$steps[0].pb", "$feeds/V0.pb") or die;
copy("$src/VehiclePosition$steps[1].pb", "$feeds/V1.pb") or die;
$t->start_redis;
$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    location /feeds/ { alias $feeds/; }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';
my $lease_ms = 1000;
my %env = (MTW_CITY => 'lz', MTW_VEHICLES_URL => "$base/V0.pb", MTW_POLL_MS => 100,
           MTW_LEASE_MS => $lease_ms, MTW_CLOCK => 'feed');
sub lease_pid { my $v = $t->redis_cmd('GET', 'mtw:lz:lease'); defined $v && $v =~ /:(\d+):/ ? $1 : 0 }
sub hb_pid { $t->redis_cmd('HGET', 'mtw:lz:heartbeat', 'pid') // 0 }

my %pid = (a => $t->start_worker('a', \%env, 'run'));
MTW::Test::wait_for('a active', 10, sub { lease_pid() == $pid{a} && hb_pid() == $pid{a} });
pass('first worker holds the lease');
$pid{b} = $t->start_worker('b', \%env, 'run');
MTW::Test::wait_for('b standing by', 10, sub { $t->worker_log('b') =~ /standing by/ });
sleep 0.5;
is(lease_pid(), $pid{a}, 'second worker stands by: lease unchanged');
is(hb_pid(), $pid{a}, 'only the active worker publishes');
ok($t->redis_cmd('PTTL', 'mtw:lz:lease') > 0, 'lease has an expiry');

# The active worker dies without cleaning up: the standby takes over once
# the lease lapses (at most one lease period after the last renewal).
my $t0 = time;
$t->stop_worker('a', 'KILL');
MTW::Test::wait_for('b takes over', 10, sub { lease_pid() == $pid{b} });
my $took = time - $t0;
cmp_ok($took, '<=', $lease_ms / 1000 * 1.1 + 0.5, sprintf('failover after a crash in %.2f s (lease %.1f s)', $took, $lease_ms / 1000));
MTW::Test::wait_for('b publishes', 5, sub { hb_pid() == $pid{b} });
pass('the new active worker publishes');

# A clean stop releases the lease: the standby takes over right away.
$pid{c} = $t->start_worker('c', \%env, 'run');
MTW::Test::wait_for('c standing by', 10, sub { $t->worker_log('c') =~ /standing by/ });
$t0 = time;
my ($rc, $secs) = $t->stop_worker('b');
is($rc, 0, 'SIGTERM: exit 0');
cmp_ok($secs, '<', 5, sprintf('SIGTERM: stopped in %.2f s', $secs));
like($t->worker_log('b'), qr/lease released/, 'lease released on exit');
MTW::Test::wait_for('c takes over', 10, sub { lease_pid() == $pid{c} });
$took = time - $t0;
cmp_ok($took, '<', $lease_ms / 1000, sprintf('handover after a clean stop in %.2f s (no lease wait)', $took));
($rc, $secs) = $t->stop_worker('c', 'INT');
is($rc, 0, 'SIGINT: exit 0');
is($t->redis_cmd('GET', 'mtw:lz:lease'), undef, 'no lease left behind');

# SIGTERM while a transfer hangs: still out within 5 s.
my $hole = IO::Socket::INET->new(Listen => 5, LocalAddr => '127.0.0.1', LocalPort => 0,
                                 Proto => 'tcp', ReuseAddr => 1) or die;
$t->start_worker('hang', { %env, MTW_CITY => 'hang', MTW_HTTP_TIMEOUT_MS => 60000,
    MTW_VEHICLES_URL => 'http://127.0.0.1:' . $hole->sockport . '/V.pb' }, 'run');
MTW::Test::wait_for('hang active', 10, sub { $t->redis_cmd('GET', 'mtw:hang:lease') });
sleep 0.3;
($rc, $secs) = $t->stop_worker('hang');
is($rc, 0, 'SIGTERM with a hanging transfer: exit 0');
cmp_ok($secs, '<', 5, sprintf('SIGTERM with a hanging transfer: %.2f s', $secs));
close $hole;

# SIGHUP: the configuration file is read again and applied.
my $conf = $t->dir . '/worker.env';
MTW::Test::spew($conf, "# test\nMTW_CITY=hup\nMTW_VEHICLES_URL=$base/V0.pb\nMTW_POLL_MS=100\n");
my $hup = $t->start_worker('hup', { MTW_CLOCK => 'feed', MTW_LEASE_MS => $lease_ms }, 'run', '--config', $conf);
my $ts0 = MTW::Pb::feed_summary(MTW::Test::slurp("$feeds/V0.pb"))->{ts};
my $ts1 = MTW::Pb::feed_summary(MTW::Test::slurp("$feeds/V1.pb"))->{ts};
MTW::Test::wait_for('config file applied', 10, sub { ($t->redis_cmd('HGET', 'mtw:hup:vehicles', 'ts') // 0) == $ts0 });
pass('settings come from --config FILE');
MTW::Test::spew($conf, "MTW_CITY=hup\nMTW_VEHICLES_URL=\"$base/V1.pb\"\nMTW_POLL_MS=100\n");
kill 'HUP', $hup;
MTW::Test::wait_for('reloaded', 10, sub { ($t->redis_cmd('HGET', 'mtw:hup:vehicles', 'ts') // 0) == $ts1 });
pass('SIGHUP: new feed URL applied');
like($t->worker_log('hup'), qr/configuration reloaded/, 'SIGHUP: logged');
MTW::Test::spew($conf, "this is not a setting\n");
kill 'HUP', $hup;
MTW::Test::wait_for('bad reload reported', 10, sub { $t->worker_log('hup') =~ /reload failed/ });
sleep 0.3;
ok(kill(0, $hup), 'a bad configuration file on SIGHUP keeps the worker running');
($rc) = $t->stop_worker('hup');
is($rc, 0, 'exit 0 after reloads');

# Bad settings at start: exit 2 with the reason.
my ($brc, $bout, $berr) = $t->worker({ MTW_CITY => 'Bad City!' }, 'run');
is($brc, 2, 'invalid city slug: exit 2');
like($berr, qr/not a valid slug/, 'invalid city slug: says why');
($brc, $bout, $berr) = $t->worker({ MTW_POLL_MS => '5' }, 'run');
is($brc, 2, 'MTW_POLL_MS too small: exit 2');
like($berr, qr/MTW_POLL_MS must be/, 'MTW_POLL_MS: says why');
$t->done;
