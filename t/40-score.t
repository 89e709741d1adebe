#!/usr/bin/perl
# 40-score.t - scoring end to end on the real Saskatoon schedule: gtfs-load
# into PostgreSQL, `mtw-worker score` (service-day schedule from the
# database, a vehicle on every running trip, half of them with
# TripUpdates), documents published to Redis in one MULTI/EXEC; then the
# documents' shapes and values: every route with vehicles scored, scheduled
# headways filled, no NaN or negative headway, predictions for stops on
# active routes, never "high" for a scheduled time, ETags = the contract's hash (MTW::Hash64).

use strict;
use warnings;
use lib 't/lib';
use MTW::Test;
use Test::More;
use JSON::PP;
use MTW::Hash64;

my $t = MTW::Test->new;
my $zip = $t->data_file('saskatoon/gtfs-2025-06-29.zip');
$t->start_postgres;
$t->start_redis;

my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'saskatoon', '--quiet', $zip);
is($rc, 0, 'gtfs-load saskatoon') or diag($err);

# 30-day history for two routes: 5 days at 95 % and 5 days at 56..60 %;
# the system median is (60 + 95) / 2 = 77.5 and the Bayesian-shrunk values
# (reference-algorithms.md §3.5) 86.3 (B) and 67.8 (D)
my ($r1, $r2) = split /\n/, $t->psql(q{SELECT route_id FROM routes r JOIN city c
    ON c.id = r.city_id WHERE c.slug = 'saskatoon' ORDER BY route_id LIMIT 2});
for my $d (1 .. 5) {
    $t->psql(qq{INSERT INTO route_performance_daily (city_id, route_id,
        service_date, on_time_pct) SELECT id, '$r1', date '2025-07-02' - $d, 95
        FROM city WHERE slug = 'saskatoon'});
    $t->psql(qq{INSERT INTO route_performance_daily (city_id, route_id,
        service_date, on_time_pct) SELECT id, '$r2', date '2025-07-02' - $d, 55
        + $d FROM city WHERE slug = 'saskatoon'});
}

# a Wednesday inside the feed's range, 08:00 local
($rc, $out, $err) = $t->worker('score', '--city', 'saskatoon', '--date',
    '2025-07-02', '--at', '08:00', '--repeat', '1', '--publish');
is($rc, 0, 'score --publish') or diag($err);
note($out);
like($out, qr/schedule saskatoon 20250702: 4\d routes, 13\d\d stops, \d+ trips/,
     'the service day has the feed\'s routes and stops');
like($out, qr/\(0 not positive\)/, 'no non-positive headway');
my ($nveh) = $out =~ /(\d+) vehicles/;
ok($nveh && $nveh >= 30, "vehicles running at 08:00 ($nveh)");

sub doc {
    my ($name) = @_;
    my %h = @{ $t->redis_cmd('HGETALL', "mtw:saskatoon:doc:$name") || [] };
    return \%h;
}


my $score = doc('score');
ok($score->{body}, 'score document published') or BAIL_OUT('no score');
like($score->{etag}, qr/^"[0-9a-f]{16}"$/, 'etag format');
ok($score->{ts} > 0, 'generation time');
my $s = decode_json($score->{body});
ok(@{ $s->{items} } >= 10, scalar(@{ $s->{items} }) . ' route-directions scored');

my $rt = decode_json(doc('realtime')->{body});
my %active = map { $_->{route} => 1 } @{ $rt->{vehicles} };
my %scored = map { $_->{route_id} => 1 } @{ $s->{items} };
is_deeply([sort grep { !$scored{$_} } keys %active], [],
          'every route with a vehicle is scored');

my ($nan, $neg, $sched, $graded, $los, $tu) = (0, 0, 0, 0, 0, 0);
for my $i (@{ $s->{items} }) {
    for my $k (qw(observed_headway_sec scheduled_headway_sec excess_wait_sec
                  headway_cv)) {
        next unless defined $i->{$k};
        $nan++ if $i->{$k} !~ /^-?[0-9.]+$/;
    }
    $neg++ if defined $i->{observed_headway_sec} && $i->{observed_headway_sec} <= 0;
    $sched++ if defined $i->{scheduled_headway_sec} && $i->{scheduled_headway_sec} > 0;
    $graded++ if $i->{grade} =~ /^[A-F]$/;
    $los++ if defined $i->{headway_los} && $i->{headway_los} =~ /^[A-F]$/;
    $tu++ if ($i->{headway_source} // '') eq 'trip_updates';
    like($i->{confidence}, qr/^(high|medium|low)$/, "confidence of $i->{route_id}")
        unless $i->{confidence} =~ /^(high|medium|low)$/;
    like($i->{regime}, qr/^(headway|schedule)$/, 'regime')
        unless $i->{regime} =~ /^(headway|schedule)$/;
}
is($nan, 0, 'no NaN in any metric');
is($neg, 0, 'no zero or negative observed headway');
ok($sched >= @{ $s->{items} } * 0.8, "scheduled headway filled ($sched)");
is($graded, scalar @{ $s->{items} }, 'every active route-direction has a grade');
ok($los > 0, "headway LOS for routes with 3+ vehicles ($los)");
ok($tu > 0, "headways from TripUpdates ($tu)");

# predictions: stops on active routes have some, well-formed and sorted
my $live = decode_json(doc('route:' . (sort keys %active)[0] . ':line')->{body});
ok(@{ $live->{stops} } > 5, 'live route page has its stop timeline (its line)');
my ($with, $checked, $bad) = (0, 0, 0);
for my $stop (@{ $live->{stops} }) {
    my $d = doc("predictions:$stop->{id}");
    next unless $d->{body};
    $with++;
    my $p = decode_json($d->{body});
    my $prev = 0;
    for my $pr (@{ $p->{predictions} }) {
        $checked++;
        $bad++ if $pr->{arrival_at} < $prev;
        $prev = $pr->{arrival_at};
        $bad++ if $pr->{confidence} eq 'high' && $pr->{source} ne 'realtime';
        $bad++ if $pr->{source} eq 'scheduled' && $pr->{confidence} ne 'low';
        $bad++ unless defined $pr->{vehicle_id} && $pr->{vehicle_id} ne $pr->{trip_id};
        # nothing of the tick's clock: the module counts arrival_in_sec
        $bad++ if exists $pr->{arrival_in_sec};
    }
    is($d->{etag}, MTW::Hash64::etag($d->{body}), "ETag of predictions:$stop->{id}")
        if $with == 1;
}
ok($with > 0, "predictions for $with stops of the route");
ok($checked > 0, "$checked predictions checked");
is($bad, 0, 'sorted, real vehicle ids, never high unless realtime');

my $routes = decode_json(doc('routes')->{body});
is(scalar @{ $routes->{routes} }, 46, 'route list has every route');
my %row = map { $_->{id} => $_ } @{ $routes->{routes} };
# r2's days are 56..60 (mean 58); median of {95 x5, 56..60} = (60 + 95) / 2
is($row{$r1}{on_time_pct}, 86.3, "$r1: 5 days at 95 shrunk toward 77.5");
is($row{$r1}{grade}, 'B', "$r1 grade");
is($row{$r1}{confidence_level}, 'medium', "$r1 confidence");
is($row{$r2}{on_time_pct}, 67.8, "$r2: 5 days at 58 shrunk toward 77.5");
is($row{$r2}{grade}, 'D', "$r2 grade");
my $detail = decode_json(doc("route:$r1")->{body});
is($detail->{stats}{totalDays}, 5, 'route detail: days of history');
is($detail->{stats}{bestPerformance}, 95, 'route detail: best day');
like($detail->{stats}{bestDay}, qr/^Jun 2[7-9]$|^Jun 30$|^Jul 1$/, 'best day is dated "Mon D"');
is_deeply($detail->{trend}{dates}, ['Jun 27', 'Jun 28', 'Jun 29', 'Jun 30', 'Jul 1'], 'trend dates');
is_deeply($detail->{trend}{on_time_pct}, [95, 95, 95, 95, 95], 'trend values');
is(scalar @{ $detail->{heatmap}{cells} }, 49, 'heatmap: all 49 cells');
ok(exists $detail->{stop_reliability} && ref $detail->{weather} eq 'ARRAY',
   'route detail has every chart key');
# one activity document per route; live pages for every route
my $with_act = 0;
for my $rr (@{ $routes->{routes} }) {
    my $a = doc("route:$rr->{id}:activity");
    $with_act++ if $a->{body} && decode_json($a->{body})->{route_id} eq $rr->{id};
    ok(doc("route:$rr->{id}:live")->{body}, "live page of route $rr->{id}")
        unless doc("route:$rr->{id}:live")->{body};
}
is($with_act, 46, 'route:{id}:activity for every route');
my $act = decode_json(doc('route:' . (sort keys %active)[0] . ':activity')->{body});
ok($act->{active_vehicles} >= 1, 'activity counts the route\'s vehicles');
is($act->{on_time_vehicles} + $act->{late_vehicles} + $act->{early_vehicles},
   $act->{active_vehicles}, 'each classified (all have a delay)');
my $ov = decode_json(doc('overview')->{body});
is_deeply([map { $_->{route_id} } @{ $ov->{historical_top_performers} }], [$r1, $r2],
          'historical top performers (>= 3 days, best first)');
is($ov->{historical_worst_performers}[0]{route_id}, $r2, 'historical worst first');
is($ov->{historical_worst_performers}[0]{on_time_percentage}, 58, '... with its 30-day mean');
like($ov->{system_grade}, qr/^[A-F]$/, "system grade $ov->{system_grade}");
is($ov->{active_vehicles}, $nveh, 'overview counts the vehicles');
ok(exists $ov->{now}{bunched}, 'bunching now');
for my $name ('route:' . (sort keys %active)[0], 'realtime', 'routes', 'overview') {
    my $d = doc($name);
    ok($d->{body} && decode_json($d->{body}), "$name is JSON");
}

$t->done;
