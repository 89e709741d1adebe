#!/usr/bin/perl
# 42-score-simulate.t - scoring end to end on the real Saskatoon schedule:
# the simulator plays 2025-07-02 from 08:00 on the feed clock, nginx serves
# its files, `mtw-worker run` polls them, loads the service day's schedule
# from PostgreSQL and publishes the documents with the live state.  Checks
# the documents' shapes and values: every active route scored, scheduled
# headways filled, no NaN or non-positive headway, headways from the
# TripUpdates, statuses on the vehicles, predictions for stops on active
# routes (sorted, real vehicle ids, "high" only from realtime), the live
# route page, the overview, ETags, and that the live documents follow the
# simulation while the score is refreshed every MTW_SCORE_SEC.

use strict;
use warnings;
use lib 't/lib';
use File::Path qw(make_path);
use JSON::PP;
use MTW::Hash64;
use MTW::Test;
use MTW::ApiSeed;
use Time::HiRes qw(sleep);
use Test::More;

my $t = MTW::Test->new;
my $zip = $t->data_file('saskatoon/gtfs-2025-06-29.zip');
my $live = $t->dir . '/live';
make_path($live);
$t->start_postgres;
$t->start_redis;
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'saskatoon', '--quiet', $zip);
is($rc, 0, 'gtfs-load') or diag($err);

$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    location /feeds/ { alias $live/; }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';
$t->start_worker('sim', 'simulate', '--gtfs', $zip, '--out', $live,
    '--interval', '0.5', '--speed', '20', '--date', '2025-07-02',
    '--clock', 'feed', '--start', '08:00:00');
MTW::Test::wait_for('first frame', 20, sub { -e "$live/Alerts.pb" });
my %run_env = (MTW_CITY => 'saskatoon', MTW_CLOCK => 'feed',
    MTW_SERVICE_DATE => '2025-07-02', MTW_POLL_MS => 500, MTW_SCORE_SEC => 10,
    MTW_VEHICLES_URL => "$base/VehiclePositions.pb",
    MTW_TRIPS_URL => "$base/TripUpdates.pb", MTW_ALERTS_URL => "$base/Alerts.pb",
    MTW_ALERTS_POLL_SEC => 1);
$t->start_worker('run', {%run_env}, 'run');

sub raw {
    my ($name) = @_;
    my %h = @{ $t->redis_cmd('HGETALL', "mtw:saskatoon:doc:$name") || [] };
    return \%h;
}
sub doc { my $r = raw(@_); return $r->{body} ? decode_json($r->{body}) : undef }

MTW::Test::wait_for('score document', 60, sub { my $s = doc('score'); $s && @{ $s->{items} } > 10 });

# live documents follow the simulation; the score is redone every
# MTW_SCORE_SEC = 10 s of feed time (one frame: 0.5 s x 20)
my $ts0 = doc('realtime')->{ts};
my $score_ts0 = doc('score')->{ts};
MTW::Test::wait_for('a newer score', 30, sub { (doc('score')->{ts} // 0) >= $score_ts0 + 10 });
ok(doc('realtime')->{ts} > $ts0, 'realtime moves with the feed');
pass('score refreshed after MTW_SCORE_SEC of feed time');

# one state for the reads below: the simulation frozen, then a fresh worker
# scores it on its first tick (the running one may have scored a frame
# whose TripUpdates had not caught up with its VehiclePositions, and will
# not score again while the feed clock stands still)
$t->stop_worker('sim');
$t->stop_worker('run');
$t->redis_cmd('DEL', map { "mtw:saskatoon:doc:$_" } qw(score realtime));
$t->start_worker('run', \%run_env, 'run');
MTW::Test::wait_for('the frozen frame scored', 30, sub {
    my ($s, $r) = (doc('score'), doc('realtime'));
    return $s && $r && $s->{ts} == $r->{ts};
});
my $score = doc('score');
my $rt = doc('realtime');
ok($rt && @{ $rt->{vehicles} } >= 30, scalar(@{ $rt->{vehicles} }) . ' vehicles in realtime');
like($t->worker_log('run'), qr/schedule of 20250702 on 20250702 loaded .*46 routes/,
     'the service day loaded from PostgreSQL');

# every route with a vehicle is scored
my %active = map { $_->{route} => 1 } grep { defined $_->{route} } @{ $rt->{vehicles} };
my %scored = map { $_->{route_id} => 1 } @{ $score->{items} };
is_deeply([grep { !$scored{$_} } sort keys %active], [], 'every active route is scored')
    or diag("score ts $score->{ts}, realtime ts $rt->{ts}; unscored vehicles: "
            . encode_json([grep { defined $_->{route} && !$scored{ $_->{route} } } @{ $rt->{vehicles} }]));

my ($nonpos, $sched, $tu, $dirs, $los, $otp) = (0, 0, 0, 0, 0, 0);
for my $i (@{ $score->{items} }) {
    for my $h (grep { defined } @$i{qw(observed_headway_sec scheduled_headway_sec)}) {
        $nonpos++ unless $h =~ /^\d+$/ && $h > 0;
    }
    $sched++ if defined $i->{scheduled_headway_sec};
    $tu++ if ($i->{headway_source} // '') eq 'trip_updates';
    $dirs++ if defined $i->{direction} && $i->{direction} =~ /^[01]$/;
    $los++ if defined $i->{headway_los};
    $otp++ if defined $i->{on_time_pct} && $i->{on_time_pct} >= 0 && $i->{on_time_pct} <= 100;
}
my $n = @{ $score->{items} };
is($nonpos, 0, 'no NaN, zero or negative headway');
ok($sched >= $n * 0.8, "scheduled headway filled ($sched of $n)");
ok($tu > 0, "headways from the TripUpdates ($tu)");
is($dirs, $n, 'directions from the timetable');
ok($otp >= $n * 0.8, "on-time % from the vehicles' delays ($otp of $n)");
ok($los > 0, "TCQSM LOS where 3+ buses run ($los)");

# statuses from the simulator's delays
my $with_status = grep { $_->{status} } @{ $rt->{vehicles} };
ok($with_status >= @{ $rt->{vehicles} } * 0.8, "statuses ($with_status)");
my %colors = map { $_->{status}{color} => 1 } grep { $_->{status} } @{ $rt->{vehicles} };
ok(!grep({ !/^(green|blue|yellow|orange|red|purple)$/ } keys %colors), 'status colours: ' . join(',', sort keys %colors));

# the buses' states the predictions join (mtw:{city}:vstate), of the same
# tick as the lists: the feed stands still
my %vstate = @{ $t->redis_cmd('HGETALL', 'mtw:saskatoon:vstate') || [] };
$_ = decode_json($_) for values %vstate;
# a stored prediction's time: its own, or its bus's at the stop's row
sub arrival_of {
    my ($pr) = @_;
    return $pr->{arrival_at} unless $pr->{live} && defined $pr->{live}{row};
    my $eta = ($vstate{ $pr->{vehicle_id} } || {})->{eta} or return undef;
    my $dt = $eta->{dt}[ $pr->{live}{row} - $eta->{row} ];
    return $pr->{live}{row} >= $eta->{row} && defined $dt ? $eta->{at} + $dt : undef;
}

# predictions for stops on every active route's live page
my %veh = map { $_->{id} => 1 } @{ $rt->{vehicles} };
my ($routes_with, $checked, $bad, $timed, $joined) = (0, 0, 0, 0, 0);
for my $route (sort keys %active) {
    # (the live page's stops: its line, route:{id}:line)
    my $line = doc("route:$route:line") or next;
    my $with = 0;
    for my $stop (@{ $line->{stops} }) {
        my $p = doc("predictions:$stop->{id}") or next;
        my $prev = 0;
        for my $pr (@{ $p->{predictions} }) {
            my $at = arrival_of($pr);
            $with++;
            $checked++;
            $joined++ if $pr->{live};
            $timed++ if $pr->{live} && defined $pr->{live}{row};
            $bad++ if !defined $at || $at < $prev;
            $prev = $at // 0;
            $bad++ if $pr->{confidence} eq 'high' && $pr->{source} ne 'realtime';
            $bad++ if defined $pr->{vehicle_id} && !$veh{ $pr->{vehicle_id} };
        }
    }
    $routes_with++ if $with;
}
is($routes_with, scalar keys %active, 'predictions on the stops of every active route');

# route shapes for the maps: every route with a shapes.txt shape, simplified
# (far fewer points than the feed's), each point a [lat, lon] near the city
my $shapes = doc('shapes');
ok($shapes && @{ $shapes->{routes} } >= 30, 'shapes of ' . scalar(@{ $shapes->{routes} || [] }) . ' routes');
my ($npts, $bad_pt) = (0, 0);
for my $r (@{ $shapes->{routes} || [] }) {
    for my $sh (@{ $r->{shapes} }) {
        $npts += @{ $sh->{points} };
        $bad_pt += grep { abs($_->[0] - 52.13) > 0.5 || abs($_->[1] + 106.67) > 0.5 } @{ $sh->{points} };
        $bad_pt++ if @{ $sh->{points} } < 2;
    }
}
my ($raw) = $t->psql(q{SELECT count(*) FROM shapes});
ok($npts > 0 && $npts < $raw / 3, "simplified to 5 m: $npts of $raw points");
is($bad_pt, 0, 'every shape has 2+ points, all in Saskatoon');
like($t->worker_log('run'), qr/route shapes, \d+ of \d+ points kept \(5 m\)/,
     'the worker logs how much it simplified');
my $route_shape = doc('route:' . $shapes->{routes}[0]{route_id} . ':shape');
is_deeply($route_shape->{shapes}, $shapes->{routes}[0]{shapes},
          'route:{id}:shape: the same shapes for one route');

# the overview's reading of the numbers
my $ovd = doc('overview');
like($ovd->{insight}, qr/^\d+ buses are running\. Measured against the timetable, [\d.]+ % are on time\. Gaps between buses measured: \d+, of which \d+ bunched and \d+ too long\./,
     "the overview's plain reading: $ovd->{insight}");

# crowding: the simulator reports occupancy for every vehicle; the live route
# pages and the realtime predictions carry it by name.  A tracked bus's
# predictions name it by "live" and its state (status, occupancy, position)
# is written once, in mtw:{city}:vstate, for the module to join
my ($live_preds, $live_bad, $vids_bad) = (0, 0, 0);
my $crowd = qr/^(EMPTY|MANY_SEATS_AVAILABLE|FEW_SEATS_AVAILABLE|STANDING_ROOM_ONLY|CRUSHED_STANDING_ROOM_ONLY|FULL)$/;
my ($lv, $lv_crowd, $rp, $rp_crowd) = (0, 0, 0, 0);
for my $route (sort keys %active) {
    my $page = doc("route:$route:live") or next;
    for my $v (@{ $page->{vehicles} }) { $lv++; $lv_crowd++ if ($v->{occupancy} // '') =~ $crowd; }
    for my $stop (@{ doc("route:$route:line")->{stops} }) {
        my $p = doc("predictions:$stop->{id}") or next;
        # the list's "vids": the buses its live items join, for the module
        my %named = map { $_ => 1 } split / /, raw("predictions:$stop->{id}")->{vids} // '';
        my %live = map { $_->{vehicle_id} => 1 } grep { $_->{live} } @{ $p->{predictions} };
        $vids_bad++ if join(',', sort keys %named) ne join(',', sort keys %live);
        for my $pr (grep { $_->{source} eq 'realtime' && defined $_->{vehicle_id} } @{ $p->{predictions} }) {
            my $state = $pr;
            if ($pr->{live}) {
                $live_preds++;
                $state = $vstate{ $pr->{vehicle_id} } || {};
                $live_bad++ if !$vstate{ $pr->{vehicle_id} }
                    || grep { exists $pr->{$_} } qw(status occupancy current_location);
            }
            $rp++;
            $rp_crowd++ if ($state->{occupancy} // '') =~ $crowd;
        }
    }
}
ok($lv > 0 && $lv_crowd == $lv, "crowding on every live vehicle ($lv_crowd of $lv)");
ok($rp > 0 && $rp_crowd == $rp, "crowding on every realtime prediction ($rp_crowd of $rp)");
ok($live_preds > $rp / 2 && $live_bad == 0,
   "$live_preds of $rp realtime predictions join their bus's state by id ($live_bad without one, or with it inline)");
is($vids_bad, 0, "each list's vids name exactly the buses its live items join");
my @vs = values %vstate;
is(scalar(grep { !exists $_->{status} || !exists $_->{occupancy} || !defined $_->{lat} } @vs), 0,
   scalar(@vs) . ' vehicle states, each with status, occupancy and position');
is($bad, 0, "$checked predictions sorted, real vehicle ids, high only from realtime");
# (along a trip of the timetable: all of the simulator's)
ok($timed > 0 && $timed == $joined,
   "$timed of the $joined joined take their time from their bus's state");

my $r = raw('overview');
is($r->{etag}, MTW::Hash64::etag($r->{body}), 'overview ETag is the hash of its body');
my $ov = decode_json($r->{body});
like($ov->{system_grade}, qr/^[A-F]$/, "system grade $ov->{system_grade}");
ok($ov->{is_feed_healthy}, 'feed healthy on the feed clock');
my $routes = doc('routes');
is(scalar @{ $routes->{routes} }, 46, 'route list');
ok(doc('stops') && @{ doc('stops')->{stops} } > 1300, 'stops document');
my %c = @{ $t->redis_cmd('HGETALL', 'mtw:doc:cities') || [] };
like($c{body} // '', qr/"slug":"saskatoon"/, 'cities document');

# the stop search keys, replaced on the schedule load
my $nstops = $t->redis_cmd('HLEN', 'mtw:saskatoon:stop');
ok($nstops > 1300, "stop hash ($nstops)");
my $entries = $t->redis_cmd('ZCARD', 'mtw:saskatoon:stop:search');
cmp_ok($entries, '>=', $nstops, "stop name index: $entries entries, one per word start");
is($t->redis_cmd('EXISTS', 'mtw:saskatoon:stop:names'), 0, 'no name hash to scan');
is($t->redis_cmd('ZCARD', 'mtw:saskatoon:geo:stops'), $nstops, 'stop GEO set');
# (ids such as "City Centre" cannot be asked for, so they have no entry)
my ($some) = grep { $_->{id} =~ /^[A-Za-z0-9._~:-]{1,64}$/ } @{ doc('stops')->{stops} };
my $stop = decode_json($t->redis_cmd('HGET', 'mtw:saskatoon:stop', $some->{id}));
is_deeply($stop, $some, 'stop hash value = the stops document entry');
is_deeply([ sort grep { /\0\Q$some->{id}\E\z/ } @{ $t->redis_cmd('ZRANGE',
        'mtw:saskatoon:stop:search', 0, -1) } ],
    [ sort(MTW::ApiSeed::search_entries($some->{name}, $some->{id})) ],
    'the index entries of a stop: one per word start of its lower-cased name');
my $near = $t->redis_cmd('GEOSEARCH', 'mtw:saskatoon:geo:stops', 'FROMLONLAT',
    $some->{lon}, $some->{lat}, 'BYRADIUS', 1, 'm', 'ASC');
is($near->[0], $some->{id}, 'the GEO set finds the stop at its place');

# per route: stops of direction 0, activity, live page even without buses
my ($one) = sort keys %active;
my $rs = doc("route:$one:stops");
ok($rs && @{ $rs->{stops} } > 5, "route:$one:stops");
my $act = doc("route:$one:activity");
is($act->{active_vehicles}, scalar(grep { ($_->{route} // '') eq $one } @{ $rt->{vehicles} }),
   'activity counts the route\'s buses');
my ($idle) = grep { !$active{$_->{id}} } @{ $routes->{routes} };
ok(doc("route:$idle->{id}:live") && doc("route:$idle->{id}:activity")
   && doc("route:$idle->{id}:stops"), 'a route without buses has its documents too');
is(doc("route:$idle->{id}:activity")->{active_vehicles}, 0, '... with zero vehicles');

$t->stop_worker("run");
$t->done;
