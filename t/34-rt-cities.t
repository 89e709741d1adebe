# Multi-city: with MTW_CITY unset the worker serves every active row of the
# city table with the feed URLs stored there, each city under its own
# lease and keys; SIGHUP re-reads the table (cities added and dropped).
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path);
use Test::More;
use Time::HiRes qw(sleep);
use MTW::Test;
use MTW::Pb;

my $t = MTW::Test->new;
my $src = $t->data_file('saskatoon/rt-2019-06-23');
my @steps = map { /VehiclePosition(\d+)\.pb$/ ? $1 : () } sort glob("$src/VehiclePosition*.pb");
my $feeds = $t->dir . '/feeds';
make_path($feeds);
copy("$src/VehiclePosition$steps[0].pb", "$feeds/V0.pb") or die;
copy("$src/VehiclePosition$steps[1].pb", "$feeds/V1.pb") or die;
copy("$src/TripUpdates$steps[1].pb", "$feeds/T1.pb") or die;
my $ts0 = MTW::Pb::feed_summary(MTW::Test::slurp("$feeds/V0.pb"))->{ts};
my $ts1 = MTW::Pb::feed_summary(MTW::Test::slurp("$feeds/V1.pb"))->{ts};

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
$t->psql("INSERT INTO city (slug, name, timezone, gtfs_rt_vehicles_url, gtfs_rt_trips_url) VALUES
    ('north', 'North', 'America/Regina', '$base/V0.pb', NULL),
    ('south', 'South', 'America/Regina', '$base/V1.pb', '$base/T1.pb'),
    ('gone', 'Gone', 'America/Regina', '$base/V1.pb', NULL)");
$t->psql("UPDATE city SET active = false WHERE slug = 'gone'");

sub vts { $t->redis_cmd('HGET', "mtw:$_[0]:vehicles", 'ts') // 0 }
my $pid = $t->start_worker('multi', { MTW_POLL_MS => 100, MTW_CLOCK => 'feed', MTW_LEASE_MS => 2000 }, 'run');
MTW::Test::wait_for('both cities', 10, sub { vts('north') == $ts0 && vts('south') == $ts1 });
pass('every active city is polled from its own URLs');
MTW::Test::wait_for('south trips', 10, sub { $t->redis_cmd('HGET', 'mtw:south:trips', 'ts') });
pass('a city with a trips URL gets trips');
is($t->redis_cmd('HGET', 'mtw:north:heartbeat', 'trips_error'), 'not configured', 'a NULL URL is not polled');
is(vts('gone'), 0, 'inactive city not served');
like($t->redis_cmd('GET', 'mtw:north:lease'), qr/:$pid:/, 'north lease held');
like($t->redis_cmd('GET', 'mtw:south:lease'), qr/:$pid:/, 'south lease held');

$t->psql("UPDATE city SET active = (slug <> 'north')");
$t->psql("UPDATE city SET gtfs_rt_vehicles_url = '$base/V0.pb' WHERE slug = 'gone'");
kill 'HUP', $pid;
MTW::Test::wait_for('gone served', 10, sub { vts('gone') == $ts0 });
pass('SIGHUP: a city activated in the table is served');
MTW::Test::wait_for('north released', 10, sub { !defined $t->redis_cmd('GET', 'mtw:north:lease') });
pass('SIGHUP: a deactivated city is dropped and its lease released');
my $hb = $t->redis_cmd('HGET', 'mtw:south:heartbeat', 'ts');
sleep 1.2;
cmp_ok($t->redis_cmd('HGET', 'mtw:south:heartbeat', 'ts'), '>', $hb, 'a kept city carries on');

($rc) = $t->stop_worker('multi');
is($rc, 0, 'exit 0');
$t->done;
