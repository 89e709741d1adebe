# Several workers share the cities fairly: each holds at most
# ceil(cities / live workers) leases (the live ones counted in the registry
# mtw:workers:{hash of the city list}: a worker serving other cities does
# not count), so a worker that joins gets its share from the others, which
# hand their surplus over; a worker killed (no goodbye) drops out of the
# registry after a lease and the others take its cities; one stopped
# cleanly leaves at once.  Five cities from the city table, leases of 1 s.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path);
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my $src = $t->data_file('saskatoon/rt-2019-06-23');
my ($step) = map { /VehiclePosition(\d+)\.pb$/ ? $1 : () } sort glob("$src/VehiclePosition*.pb");
my $feeds = $t->dir . '/feeds';
make_path($feeds);
copy("$src/VehiclePosition$step.pb", "$feeds/V.pb") or die;

$t->start_redis;
$t->start_postgres;
$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    location /feeds/ { alias $feeds/; }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
my @cities = map { "c$_" } 1 .. 5;
$t->psql("INSERT INTO city (slug, name, timezone, gtfs_rt_vehicles_url) VALUES "
    . join(', ', map { "('$_', '$_', 'America/Regina', '$base/V.pb')" } @cities));

my $lease_ms = 1000;
my $solo_key = '';
my %env = (MTW_POLL_MS => 100, MTW_CLOCK => 'feed', MTW_LEASE_MS => $lease_ms);
sub holder {
    my $v = $t->redis_cmd('GET', "mtw:$_[0]:lease") // '';
    return $v =~ /:(\d+):/ ? $1 : 0;
}
sub held_by { my ($pid) = @_; return scalar grep { holder($_) == $pid } @cities }
# the registry of the workers serving the five cities (a worker serving
# another list has its own)
sub workers {
    my @keys = grep { $_ ne $solo_key } @{ $t->redis_cmd('KEYS', 'mtw:workers:*') || [] };
    return @keys == 1 ? $t->redis_cmd('ZCARD', $keys[0]) // 0 : 0;
}

# a worker serving one other city, from the environment
my $solo = $t->start_worker('solo', { %env, MTW_CITY => 'solo',
    MTW_VEHICLES_URL => "$base/V.pb" }, 'run');
MTW::Test::wait_for('solo registered', 15, sub {
    my @k = @{ $t->redis_cmd('KEYS', 'mtw:workers:*') || [] };
    ($solo_key) = @k if @k == 1;
    return @k == 1;
});
my $a = $t->start_worker('a', \%env, 'run');
MTW::Test::wait_for('a holds every city', 15, sub { held_by($a) == 5 });
pass('a worker alone with these cities holds all five (one serving another '
     . 'city does not count)');
is(workers(), 1, 'one worker registered for them');

# a second worker: the first hands over its surplus, 3 + 2
my $b = $t->start_worker('b', \%env, 'run');
MTW::Test::wait_for('3 / 2', 15, sub { held_by($a) == 3 && held_by($b) == 2 });
pass('a second worker gets its share: 3 and 2');
like($t->worker_log('a'), qr/city c\d: handed over \(\d held, fair share 3\)/,
     'the first says which cities it handed over');
# each city is published by its holder
MTW::Test::wait_for('heartbeats by the holders', 15, sub {
    !grep { ($t->redis_cmd('HGET', "mtw:$_:heartbeat", 'pid') // 0) != holder($_) } @cities });
pass('every city is published by the worker holding it');

# killed: no release, no goodbye; the survivor takes all five once the
# registry and the leases lapse
kill 'KILL', $a;
waitpid $a, 0;
delete $t->{procs}{'worker-a'};
my $t0 = time;
MTW::Test::wait_for('b holds every city', 15, sub { held_by($b) == 5 });
pass(sprintf 'a worker killed: the other holds all five cities (%d s)', time - $t0);
is(workers(), 1, 'the killed worker dropped out of the registry');

# a third joins, then the one holding more stops cleanly: it leaves the
# registry and releases at once, so the other takes all without waiting
# for a lease to lapse
my $c = $t->start_worker('c', \%env, 'run');
MTW::Test::wait_for('3 / 2 again', 15, sub { held_by($b) + held_by($c) == 5 && held_by($c) >= 2 });
pass('the newcomer gets its share');
my ($rc_b) = $t->stop_worker('b');
is($rc_b, 0, 'b stops cleanly');
MTW::Test::wait_for('c holds every city', 15, sub { held_by($c) == 5 });
pass('after a clean stop the other holds all five cities');
is(workers(), 1, 'the stopped worker left the registry');

my ($rc_c) = $t->stop_worker('c');
is($rc_c, 0, 'c stops cleanly');
is(workers(), 0, 'no worker left registered for them');
my ($rc_solo) = $t->stop_worker('solo');
is($rc_solo, 0, 'solo stops cleanly');
$t->done;
