# Replays the 120 Saskatoon captures (2019-06-23, every 30 s) in order
# through nginx serving a folder, with the worker polling it on the feed
# clock, and checks what it publishes after every step against an
# independent reading of the capture: counts, ids, stop-time updates,
# header time, GEO positions, heartbeat, stale flags; conditional GETs
# answered 304 cost no decode.
use strict;
use warnings;
use File::Copy qw(copy);
use File::Path qw(make_path);
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep);
use MTW::Test;
use MTW::Pb;

my $t = MTW::Test->new;
my $src = $t->data_file('saskatoon/rt-2019-06-23');
my @steps = map { /VehiclePosition(\d+)\.pb$/ ? $1 : () } sort glob("$src/VehiclePosition*.pb");
is(scalar @steps, 120, '120 captures');
my @alerts = map { /Alerts(\d+)\.pb$/ ? $1 : () } sort glob("$src/Alerts*.pb");

my $feeds = $t->dir . '/feeds';
make_path($feeds);
$t->start_redis;
$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    location /feeds/ { alias $feeds/; }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';

# Puts one capture in place as the "current" file, atomically, with its
# capture time as mtime (nginx's ETag and Last-Modified follow it).
sub put_feed {
    my ($from, $to, $mtime) = @_;
    copy($from, "$feeds/.$to.tmp") or die "copy $from: $!";
    utime $mtime, $mtime, "$feeds/.$to.tmp";
    rename "$feeds/.$to.tmp", "$feeds/$to" or die "rename: $!";
}

my %wire;
sub wire { my ($f) = @_; $wire{$f} //= MTW::Pb::feed_summary(MTW::Test::slurp($f)) }

sub place_step {
    my ($ts) = @_;
    put_feed("$src/VehiclePosition$ts.pb", 'VehiclePositions.pb', $ts);
    put_feed("$src/TripUpdates$ts.pb", 'TripUpdates.pb', $ts);
    my ($a) = grep { $_ <= $ts } reverse @alerts;
    put_feed("$src/Alerts$a.pb", 'Alerts.pb', $a) if $a;
    return $a;
}

place_step($steps[0]);
$t->start_worker('replay', {
    MTW_CITY => 'sk', MTW_CLOCK => 'feed',
    MTW_VEHICLES_URL => "$base/VehiclePositions.pb",
    MTW_TRIPS_URL => "$base/TripUpdates.pb",
    MTW_ALERTS_URL => "$base/Alerts.pb",
    MTW_POLL_MS => 100, MTW_TRIPS_POLL_SEC => 0.1, MTW_ALERTS_POLL_SEC => 0.2,
}, 'run');

my $json = JSON::PP->new->utf8;
sub hget { my ($k, $f) = @_; return $t->redis_cmd('HGET', $k, $f) }
sub jget { my ($k) = @_; my $v = hget($k, 'json'); return defined $v ? eval { $json->decode($v) } : undef }

my ($bad, $checked) = (0, 0);
for my $i (0 .. $#steps) {
    my $ts = $steps[$i];
    my $alert_ts = place_step($ts);
    my $wv = wire("$src/VehiclePosition$ts.pb");
    my $wt = wire("$src/TripUpdates$ts.pb");
    my $ok = eval {
        MTW::Test::wait_for("step $i published", 15, sub {
            (hget('mtw:sk:vehicles', 'ts') // 0) == $wv->{ts}
                && (hget('mtw:sk:trips', 'ts') // 0) == $wt->{ts}
                && (hget('mtw:sk:heartbeat', 'trips_ts') // 0) == $wt->{ts}
        });
        1;
    };
    if (!$ok) { fail("step $i ($ts): published in time"); $bad++; last }
    my @fail;
    my $veh = jget('mtw:sk:vehicles');
    my $trips = jget('mtw:sk:trips');
    my $rich_v = jget('mtw:sk:rt:vehicles');
    my $rich_t = jget('mtw:sk:rt:trips');
    push @fail, 'vehicle count' unless $veh && @$veh == $wv->{vehicles};
    push @fail, 'vehicle ids' unless $veh && join(',', map { $_->{id} } @$veh) eq join(',', @{ $wv->{ids} });
    push @fail, 'trip count' unless $trips && @$trips == $wt->{trips};
    my $stops = 0;
    $stops += @{ $_->{stops} } for @{ $trips || [] };
    push @fail, "stop updates $stops != $wt->{stop_time_updates}" unless $stops == $wt->{stop_time_updates};
    push @fail, 'rich vehicles not fresh' unless $rich_v && !$rich_v->{stale} && $rich_v->{age_sec} <= 60;
    push @fail, 'rich trips not fresh' unless $rich_t && !$rich_t->{stale};
    push @fail, 'rich trips count' unless $rich_t && @{ $rich_t->{trips} } == $wt->{trips};
    push @fail, 'rich trip events' unless $rich_t && !grep { grep { $_->{arr} && !defined $_->{arr}{time} } @{ $_->{stops} } } @{ $rich_t->{trips} };
    push @fail, 'stale flag in hash' unless (hget('mtw:sk:vehicles', 'stale') // '') eq '0';
    push @fail, 'heartbeat entities' unless (hget('mtw:sk:heartbeat', 'vehicles_entities') // -1) == $wv->{vehicles};
    push @fail, 'ttl' unless $t->redis_cmd('TTL', 'mtw:sk:vehicles') > 100;
    my $fv = $wv->{first_vehicle};
    my $pos = $t->redis_cmd('GEOPOS', 'mtw:sk:geo:vehicles', $fv->{vehicle_id} // $fv->{entity_id});
    push @fail, 'geo position' unless ref $pos eq 'ARRAY' && ref $pos->[0] eq 'ARRAY'
        && abs($pos->[0][0] - $fv->{lon}) < 1e-4 && abs($pos->[0][1] - $fv->{lat}) < 1e-4;
    push @fail, 'geo count' unless $t->redis_cmd('ZCARD', 'mtw:sk:geo:vehicles') == $wv->{vehicles};
    my $vh = hget('mtw:sk:vehicle', $fv->{vehicle_id} // $fv->{entity_id});
    push @fail, 'vehicle hash' unless $vh && $json->decode($vh)->{entity_id} eq $fv->{entity_id};
    if ($alert_ts) {
        my $wa = wire("$src/Alerts$alert_ts.pb");
        # the alerts poll runs on its own cadence: it may lag a step
        MTW::Test::wait_for('alerts', 5, sub { (hget('mtw:sk:alerts', 'ts') // 0) == $wa->{ts} });
        my $ra = jget('mtw:sk:rt:alerts');
        push @fail, 'alert count' unless $ra && @{ $ra->{alerts} } == $wa->{alerts};
        my $inf = 0;
        $inf += @{ $_->{informed} } for @{ $ra->{alerts} || [] };
        push @fail, 'informed entities' unless $inf == $wa->{informed};
        push @fail, 'alert text' unless $ra && grep { defined $_->{header} && length $_->{header} } @{ $ra->{alerts} };
    }
    $checked++;
    if (@fail) { $bad++; diag("step $i ($ts): @fail") }
}
is($checked, 120, 'all 120 steps published');
is($bad, 0, 'every step published exactly what the capture holds');

# The last capture stays in place: polls now get 304 and the state stays.
my $log = "$t->{dir}/nginx/logs/access.log";
my $before = () = MTW::Test::slurp($log) =~ /VehiclePositions\.pb HTTP\/1\.1" 304 /g;
sleep 1;
my $after = () = MTW::Test::slurp($log) =~ /VehiclePositions\.pb HTTP\/1\.1" 304 /g;
cmp_ok($after - $before, '>=', 3, 'unchanged feed: conditional GETs answered 304');
is(hget('mtw:sk:heartbeat', 'vehicles_error'), '', 'no error after 304s');
is(hget('mtw:sk:vehicles', 'ts'), wire("$src/VehiclePosition$steps[-1].pb")->{ts}, 'snapshot kept on 304');
is(hget('mtw:sk:vehicles', 'stale'), '0', 'not stale on 304');
ok($t->redis_cmd('SISMEMBER', 'mtw:cities', 'sk'), 'city listed in mtw:cities');

my ($rc, $secs) = $t->stop_worker('replay');
is($rc, 0, 'worker exits 0');
unlike($t->worker_log('replay'), qr/\berror\b/, 'no errors logged');
$t->done;
