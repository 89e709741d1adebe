#!/usr/bin/perl
# 49-route-analytics.t - the route page's analytics from planted history,
# every expected number computed here, independently of the worker:
#  - the daily aggregate (`run --aggregate`) writes the schedule realism
#    ratio (observed / scheduled span per trip run, 5 runs or more) and
#    the A-F grade of the day;
#  - the route document (`score --publish`) shows the 30-day realism mean
#    and grade, the route's rank among the routes with 5 days or more,
#    each direction's stop reliability (10 arrivals or more, in stop
#    order) and the weekday x time-of-day heatmap in the city's local time.
use strict;
use warnings;
use lib 't/lib';
use JSON::PP;
use List::Util qw(sum);
use MTW::Test;
use POSIX qw(floor);
use Test::More;

my $t = MTW::Test->new;
my $zip = $t->dir . '/demo.zip';
my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
is($rc, 0, 'demo feed') or diag($err);
$t->start_postgres;
$t->start_redis;
($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'demo', '--quiet', $zip);
is($rc, 0, 'gtfs-load') or diag($err);
my $city = $t->city_id('demo');

# three stops of route R1, direction 0, in order, with their names
my $trip = $t->psql("SELECT trip_id FROM trips WHERE city_id = $city AND route_id = 'R1'
    AND direction_id = 0 ORDER BY trip_id LIMIT 1");
my @stops = map { [split /\|/] } split /\n/, $t->psql("SELECT st.stop_id, st.stop_sequence,
    s.stop_name FROM stop_times st JOIN stops s USING (city_id, stop_id)
    WHERE st.city_id = $city AND st.trip_id = '$trip' ORDER BY st.stop_sequence LIMIT 3");
is(scalar @stops, 3, "three stops of $trip");

# 2025-07-09, a Wednesday; America/Regina is UTC-6 all year.  12 runs from
# 08:00 every 10 minutes, stops 0 / 600 / 1200 s apart on the timetable.
my $day = '2025-07-09';
my $midnight = 1752040800;                 # 2025-07-09 00:00 -06:00
my (@rows, @ratios, %stop, %cell);
for my $k (0 .. 11) {
    my $start = 8 * 3600 + 600 * $k;
    my @delay = (0, 30 * $k, $k < 10 ? 100 : 700);
    for my $i (0 .. 2) {
        my $sched = $midnight + $start + 600 * $i;
        my $at = $sched + $delay[$i];
        push @rows, sprintf("(%d, '%s', 'R1', 'T%02d', %d, 0, '%s', %d, 'bus-%d', "
            . "to_timestamp(%d), to_timestamp(%d), %d, 'stop_sequence')", $city, $day, $k,
            $start, $stops[$i][0], $stops[$i][1], $k, $sched, $at, $delay[$i]);
        my $on = $delay[$i] >= -60 && $delay[$i] <= 300 ? 1 : 0;
        push @{ $stop{$i} }, [$delay[$i], $on];
        my $hour = floor(($at - $midnight) / 3600);
        my $bucket = $hour < 6 ? 0 : $hour < 9 ? 1 : $hour < 12 ? 2 : $hour < 15 ? 3
            : $hour < 18 ? 4 : $hour < 21 ? 5 : 6;
        push @{ $cell{$bucket} }, $on;
    }
    push @ratios, (1200 + $delay[2] - $delay[0]) / 1200;
}
$t->psql("INSERT INTO arrival_log (city_id, service_date, route_id, trip_id,
    trip_start_time, direction_id, stop_id, stop_sequence, vehicle_id, scheduled_at,
    arrived_at, delay_sec, source) VALUES " . join(', ', @rows));

# what the feed said would not run: R1's run T90 cancelled, T03
# cancelled but seen running after all (not counted), two stops skipped;
# R2 (no arrival that day) one run cancelled
$t->psql("INSERT INTO service_exception (city_id, service_date, route_id, trip_id,
    trip_start_time, direction_id, kind, stop_id, stop_sequence, scheduled_at, reported_at)
    VALUES ($city, '$day', 'R1', 'T90', 86000, 0, 'canceled', NULL, -1, NULL, now()),
           ($city, '$day', 'R1', 'T03', " . (8 * 3600 + 1800) . ", 0, 'canceled', NULL, -1,
            NULL, now()),
           ($city, '$day', 'R1', 'T01', " . (8 * 3600 + 600) . ", 0, 'skipped',
            '$stops[1][0]', $stops[1][1], NULL, now()),
           ($city, '$day', 'R1', 'T02', " . (8 * 3600 + 1200) . ", 0, 'skipped',
            '$stops[2][0]', $stops[2][1], NULL, now()),
           ($city, '$day', 'R2', 'X1', 30000, 0, 'canceled', NULL, -1, NULL, now())");

# the day's aggregate
($rc, $out, $err) = $t->worker('run', '--city', 'demo', '--aggregate', $day);
is($rc, 0, 'run --aggregate') or diag($err);
is($t->psql("SELECT route_id || '|' || canceled_trips || '|' || skipped_stops || '|'
    || observed_arrivals || '|' || coalesce(on_time_pct::text, 'null')
    FROM route_performance_daily WHERE city_id = $city AND service_date = '$day'
    ORDER BY route_id"), "R1|1|2|36|" . $t->psql("SELECT on_time_pct FROM
    route_performance_daily WHERE city_id = $city AND route_id = 'R1'
    AND service_date = '$day'") . "\nR2|1|0|0|null",
   'cancelled runs never seen running and skipped stops per route; a route '
   . 'with no arrival but a cancellation gets its row');
# R2's day of cancellations only is not part of the history planted below
$t->psql("DELETE FROM route_performance_daily WHERE route_id = 'R2'");
$t->psql("DELETE FROM service_exception WHERE route_id = 'R2'");
my $ratio = sprintf '%.3f', sum(@ratios) / @ratios;
my @all_on = map { $_->[1] } map { @$_ } values %stop;
my $day_pct = 100 * sum(@all_on) / @all_on;
my $grade = $day_pct >= 90 ? 'A' : $day_pct >= 80 ? 'B' : $day_pct >= 70 ? 'C'
    : $day_pct >= 60 ? 'D' : 'F';
is($t->psql("SELECT schedule_realism_ratio || '|' || grade FROM route_performance_daily
    WHERE city_id = $city AND route_id = 'R1' AND service_date = '$day'"), "$ratio|$grade",
   "the day: realism $ratio over 12 runs, grade $grade ($day_pct % on time)");

# the day's delays: mean (half away from zero) and median (an even count's
# middles averaged, truncated)
my @dl = sort { $a <=> $b } map { $_->[0] } map { @$_ } values %stop;
my $mid = @dl % 2 ? $dl[$#dl / 2] : int(($dl[@dl / 2 - 1] + $dl[@dl / 2]) / 2);
my $mean = sum(@dl) / @dl;
is($t->psql("SELECT avg_delay_sec || '|' || median_delay_sec FROM route_performance_daily
    WHERE city_id = $city AND route_id = 'R1' AND service_date = '$day'"),
   sprintf('%d|%d', $mean >= 0 ? int($mean + 0.5) : -int(-$mean + 0.5), $mid),
   "the day's mean and median delay");

# the day's regularity from the headway pairs (observed, scheduled) of
# consecutive runs at each stop, worked out here: TCQSM cv over the
# deviations, its LOS, excess wait, gaps
my @hp;
for my $i (0 .. 2) {
    for my $k (1 .. 11) {
        my ($d0, $d1) = ($stop{$i}[$k - 1][0], $stop{$i}[$k][0]);
        push @hp, [600 + $d1 - $d0, 600];
    }
}
my $md = sum(map { $_->[0] - $_->[1] } @hp) / @hp;
my $var = sum(map { ($_->[0] - $_->[1] - $md) ** 2 } @hp) / (@hp - 1);
my $cv = sqrt($var) / (sum(map { $_->[1] } @hp) / @hp);
my $cv2 = sprintf '%.2f', $cv;
my $los = $cv2 <= 0.21 ? 'A' : $cv2 <= 0.30 ? 'B' : $cv2 <= 0.39 ? 'C' : $cv2 <= 0.52 ? 'D'
    : $cv2 <= 0.74 ? 'E' : 'F';
my $ewt = sum(map { $_->[0] ** 2 } @hp) / (2 * sum(map { $_->[0] } @hp))
    - sum(map { $_->[1] ** 2 } @hp) / (2 * sum(map { $_->[1] } @hp));
my $gaps = grep { $_->[0] > ($_->[1] * 1.5 < $_->[1] + 180 ? $_->[1] * 1.5 : $_->[1] + 180) } @hp;
is($t->psql("SELECT headway_cv || '|' || headway_los || '|' || excess_wait_sec || '|'
    || gap_count FROM route_performance_daily WHERE city_id = $city AND route_id = 'R1'
    AND service_date = '$day'"), sprintf('%.3f|%s|%.0f|%d', $cv, $los, $ewt, $gaps),
   sprintf('regularity: cv %.3f (LOS %s), excess wait %.0f s, %d gaps over %d headways',
           $cv, $los, $ewt, $gaps, scalar @hp));

# service delivered: the day's trip runs seen against the timetable's (the
# demo calendar runs every day, no frequencies.txt)
my $sched_r1 = $t->psql("SELECT count(*) FROM trips WHERE city_id = $city AND route_id = 'R1'");
is($t->psql("SELECT count(*) FROM frequencies WHERE city_id = $city"), 0, 'no frequency templates');
is($t->psql("SELECT scheduled_trips || '|' || observed_trips FROM route_performance_daily
    WHERE city_id = $city AND route_id = 'R1' AND service_date = '$day'"), "$sched_r1|12",
   "the day: 12 runs seen of the $sched_r1 scheduled");

# 4 runs are not enough for a ratio
$t->psql("DELETE FROM arrival_log WHERE trip_id IN ('T04','T05','T06','T07','T08','T09','T10','T11')");
($rc, $out, $err) = $t->worker('run', '--city', 'demo', '--aggregate', $day);
is($t->psql("SELECT coalesce(schedule_realism_ratio::text, 'null') FROM route_performance_daily
    WHERE city_id = $city AND route_id = 'R1' AND service_date = '$day'"), 'null',
   'under 5 trip runs: no ratio');
$t->psql("DELETE FROM arrival_log");
$t->psql("INSERT INTO arrival_log (city_id, service_date, route_id, trip_id,
    trip_start_time, direction_id, stop_id, stop_sequence, vehicle_id, scheduled_at,
    arrived_at, delay_sec, source) VALUES " . join(', ', @rows));
($rc, $out, $err) = $t->worker('run', '--city', 'demo', '--aggregate', $day);
is($rc, 0, 'aggregated again');

# six more days per route: R1 80 % (ratio 1.0), R2 90 %, R3 70 %
my @days = map { sprintf '2025-07-%02d', $_ } 3 .. 8;
for my $d (@days) {
    $t->psql("INSERT INTO route_performance_daily (city_id, route_id, service_date,
        observed_arrivals, on_time_pct, schedule_realism_ratio) VALUES
        ($city, 'R1', '$d', 10, 80, 1.0), ($city, 'R2', '$d', 10, 90, NULL),
        ($city, 'R3', '$d', 10, 70, NULL)");
}
my $r1_day = $t->psql("SELECT on_time_pct FROM route_performance_daily
    WHERE city_id = $city AND route_id = 'R1' AND service_date = '$day'");
my %mean = (R1 => (6 * 80 + $r1_day) / 7, R2 => 90, R3 => 70);
my @vals = sort { $a <=> $b } ((80) x 6, $r1_day, (90) x 6, (70) x 6);
my $median = @vals % 2 ? $vals[$#vals / 2] : ($vals[@vals / 2 - 1] + $vals[@vals / 2]) / 2;
my $rank = 1 + grep { $mean{$_} > $mean{R1} } keys %mean;
my $pctl = sprintf '%.0f', (3 - $rank) / 2 * 100;
my $realism = (6 * 1.0 + $ratio) / 7;

($rc, $out, $err) = $t->worker('score', '--city', 'demo', '--date', '2025-07-10',
    '--at', '08:00', '--repeat', '1', '--publish');
is($rc, 0, 'score --publish') or diag($err);
my %h = @{ $t->redis_cmd('HGETALL', 'mtw:demo:doc:route:R1') || [] };
my $doc = eval { decode_json($h{body} // '') } || {};
my $s = $doc->{stats} || {};
is($s->{totalDays}, 7, 'seven days of history');
ok(abs(($s->{scheduleRealismRatio} // -1) - sprintf('%.2f', $realism)) < 0.001,
   "realism ratio $s->{scheduleRealismRatio} (expected " . sprintf('%.2f', $realism) . ')');
my $rg = $realism < 0.85 ? 'over_scheduled' : $realism < 0.95 ? 'well_scheduled'
    : $realism < 1.05 ? 'realistic' : $realism < 1.15 ? 'under_scheduled'
    : 'severely_under_scheduled';
is($s->{scheduleRealismGrade}, $rg, "realism grade $rg");
is($s->{realismDays}, 7, 'seven days with a ratio');
my $c = $s->{systemComparison} || {};
is($c->{routeRank}, $rank, "rank $rank");
is($c->{totalRoutes}, 3, 'of 3 routes');
is($c->{percentile}, $pctl, "percentile $pctl");
ok(abs($c->{systemMedianPerformance} - $median) < 0.01, "system median $median");
ok(abs($c->{routePerformance} - $mean{R1}) < 0.01, "route performance $mean{R1}");
ok(abs($c->{performanceDelta} - sprintf('%.1f', $mean{R1} - $median)) < 0.001, 'delta');
is($c->{underperforming}, JSON::PP::false, 'not underperforming');
# the planted days have no timetable count: only the aggregated day counts
is_deeply($s->{serviceDelivered}, { observedTrips => 12, scheduledTrips => $sched_r1,
    pct => 0 + sprintf('%.1f', 1200 / $sched_r1), canceledTrips => 1,
    canceledPct => 0 + sprintf('%.1f', 100 / $sched_r1), skippedStops => 2 },
    'service delivered over the 30 days, with the cancelled runs and skipped stops');

# stops: 12 arrivals each, in stop order; direction 1 has none
my $d0 = $doc->{stop_reliability}{0} || {};
is(scalar @{ $d0->{stops} || [] }, 3, 'three stops towards direction 0');
for my $i (0 .. 2) {
    my $x = $d0->{stops}[$i] || {};
    my @v = @{ $stop{$i} };
    my $avg = sum(map { $_->[0] } @v) / @v;
    my $on = sprintf '%.1f', 100 * sum(map { $_->[1] } @v) / @v;
    is_deeply([ @$x{qw(stop_id name sequence samples)} ], [ @{ $stops[$i] }[0, 2, 1], 12 ],
              "stop $i: $stops[$i][0], 12 samples");
    is($x->{avg_delay_sec}, sprintf('%.0f', $avg), "stop $i: average delay");
    ok(abs($x->{on_time_pct} - $on) < 0.001, "stop $i: $on % on time");
    is($x->{confidence}, 'low', "stop $i: low confidence under 20 samples");
}
ok(length($d0->{label} // '') > 0, "direction label '$d0->{label}'");
is($doc->{stop_reliability}{1}, undef, 'direction 1: null');

# the heatmap: Wednesday (2), local hours
my %got = map { ("$_->[0]:$_->[1]" => $_->[2]) } @{ $doc->{heatmap}{cells} || [] };
is(scalar keys %got, 49, 'all 49 cells');
for my $b (0 .. 6) {
    my $want = $cell{$b} ? sprintf('%.1f', 100 * sum(@{ $cell{$b} }) / @{ $cell{$b} }) : undef;
    if (defined $want) {
        ok(defined $got{"2:$b"} && abs($got{"2:$b"} - $want) < 0.001,
           "Wednesday, bucket $b: $want");
    } else {
        is($got{"2:$b"}, undef, "Wednesday, bucket $b: null");
    }
}
is(scalar(grep { defined } values %got), scalar(keys %cell), 'no other cell has a value');
is($doc->{heatmap}{samples}, 36, '36 arrivals behind it');

# the overview: yesterday (the aggregated day) against the day before, over
# the routes with both (R1 only)
my %ov = @{ $t->redis_cmd('HGETALL', 'mtw:demo:doc:overview') || [] };
my $overview = eval { decode_json($ov{body} // '') } || {};
my $change = sprintf '%.1f', $r1_day - 80;
ok(defined $overview->{change_vs_yesterday}
   && abs($overview->{change_vs_yesterday} - $change) < 0.001,
   "change vs the day before: $change points");

# a route with history but no arrivals: null stops, empty grid
my %h3 = @{ $t->redis_cmd('HGETALL', 'mtw:demo:doc:route:R3') || [] };
my $doc3 = eval { decode_json($h3{body} // '') } || {};
is($doc3->{stats}{scheduleRealismGrade}, 'insufficient_data', 'R3: no realism');
is($doc3->{stats}{scheduleRealismRatio}, undef, 'R3: ratio null');
is($doc3->{stop_reliability}{0}, undef, 'R3: no stops');
is(scalar(grep { defined $_->[2] } @{ $doc3->{heatmap}{cells} || [] }), 0, 'R3: empty grid');
is($doc3->{stats}{systemComparison}{routeRank}, 3, 'R3: last of 3');
is($doc3->{stats}{serviceDelivered}, undef, 'R3: no service delivered without a timetable count');

done_testing;
