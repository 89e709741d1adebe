# A worker stalled past its lease never overwrites the new holder.  Two
# workers share a city (MTW_LEASE_MS 1000); the holder is frozen
# (SIGSTOP: a blocking PostgreSQL call, a paused VM), the other takes the
# lease and publishes; the frozen one is resumed.  Redis's MONITOR shows
# every command it executes: after the resume, no heartbeat (nor anything
# else of the city's transaction) is written with the old holder's
# instance, and the old holder says why it stands by.  Which check it
# reaches first after the resume depends on where it was stopped: its
# publish (the lease's deadline passed) or its lease renewal (the lease
# is another's); either is a check before anything is written.
use strict;
use warnings;
use File::Path qw(make_path);
use IO::Select;
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(sleep);
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
}
CONF
my %env = (MTW_CITY => 'fence', MTW_POLL_MS => 100, MTW_LEASE_MS => 1000,
    MTW_CLOCK => 'feed', MTW_VEHICLES_URL => 'http://127.0.0.1:' . $t->nginx_port
    . '/feeds/VehiclePositions.pb');
$t->start_worker('a', {%env}, 'run');
$t->start_worker('b', {%env}, 'run');

sub holder { $t->redis_cmd('GET', 'mtw:fence:lease') // '' }
sub instance_of {
    my ($name) = @_;
    my ($id) = $t->worker_log($name) =~ /worker started: .* instance=(\S+)/;
    return $id // '';
}
MTW::Test::wait_for('both started and one holds the lease', 20, sub {
    instance_of('a') && instance_of('b') && holder() ne ''
        && ($t->redis_cmd('HGET', 'mtw:fence:heartbeat', 'instance') // '') eq holder();
});
my %id = (a => instance_of('a'), b => instance_of('b'));
my ($old) = grep { $id{$_} eq holder() } keys %id;
my ($new) = grep { $_ ne $old } keys %id;
ok($old, "worker $old holds the lease");

# every command Redis executes from now on
my $mon = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->redis_port)
    or die "monitor: $!";
print $mon "MONITOR\r\n";
my $seen = '';
sub drain_monitor {
    my $sel = IO::Select->new($mon);
    while ($sel->can_read(0.05)) {
        sysread($mon, my $buf, 65536) or last;
        $seen .= $buf;
    }
}

my $old_pid = $t->{procs}{"worker-$old"};
kill 'STOP', $old_pid;
MTW::Test::wait_for("worker $new takes the lease and publishes", 20, sub {
    drain_monitor();
    holder() eq $id{$new}
        && ($t->redis_cmd('HGET', 'mtw:fence:heartbeat', 'instance') // '') eq $id{$new};
});
drain_monitor();
my $mark = length $seen;
my $log_mark = length $t->worker_log($old);
my $stands_by = qr/city fence: (?:lease not renewed in time; checking it before publishing again|the lease is another worker's now|another worker is active; standing by)/;
kill 'CONT', $old_pid;
MTW::Test::wait_for("worker $old stands by", 20, sub {
    drain_monitor();
    substr($t->worker_log($old), $log_mark) =~ $stands_by;
});
# and a few more of the new holder's ticks
my $ticks = sub { scalar(() = substr($seen, $mark) =~ /"HSET" "mtw:fence:heartbeat"/g) };
my $at = $ticks->();
MTW::Test::wait_for('three more ticks', 20, sub { drain_monitor(); $ticks->() >= $at + 3 });
my $after = substr($seen, $mark);
my @stale = $after =~ /("HSET" "mtw:fence:heartbeat".*"\Q$id{$old}\E".*)/g;
is(scalar @stale, 0, "after the resume, nothing was published with worker ${old}'s instance")
    or diag(join "\n", @stale[0 .. 2]);
is(holder(), $id{$new}, "the lease stays worker ${new}'s");
is($t->redis_cmd('HGET', 'mtw:fence:heartbeat', 'instance'), $id{$new},
   "the heartbeat is worker ${new}'s");
like(substr($t->worker_log($old), $log_mark), $stands_by,
     "after the resume, worker $old says why it does not publish");

$t->stop_worker($_) for 'a', 'b';
$t->done;
