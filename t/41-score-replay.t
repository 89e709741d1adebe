#!/usr/bin/perl
# 41-score-replay.t - the run loop's scoring hook on real captures: the 2019
# Saskatoon VehiclePositions / TripUpdates / Alerts replayed on the feed
# clock (`run --replay`), with the 2025 static feed in PostgreSQL mapped onto
# the capture's day (MTW_SERVICE_DATE=auto).  The 2019 trip ids are not in
# the 2025 timetable, so headways must come from the TripUpdates alone; stop
# ids mostly are, so predictions come out for those stops.  Checks, at three
# points of the replay: documents published in the live-state transaction,
# headways from TripUpdates, positive and plausible, predictions "high" only
# from realtime times with real vehicle ids, nothing stale on the feed clock.

use strict;
use warnings;
use lib 't/lib';
use MTW::Test;
use Test::More;
use JSON::PP;

my $t = MTW::Test->new;
my ($dir, $zip) = $t->data_file('saskatoon/rt-2019-06-23',
                                   'saskatoon/gtfs-2025-06-29.zip');
$t->start_postgres;
$t->start_redis;
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'saskatoon', '--quiet', $zip);
is($rc, 0, 'gtfs-load') or diag($err);

sub doc {
    my ($name) = @_;
    my %h = @{ $t->redis_cmd('HGETALL', "mtw:saskatoon:doc:$name") || [] };
    return $h{body} ? decode_json($h{body}) : undef;
}

my ($tu_headways, $bad_headways, $preds, $bad_preds) = (0, 0, 0, 0);
for my $cycles (40, 80, 120) {
    ($rc, $out, $err) = $t->worker({ MTW_CITY => 'saskatoon', MTW_CLOCK => 'feed',
        MTW_SERVICE_DATE => 'auto' }, 'run', '--replay', $dir, '--cycles', $cycles);
    is($rc, 0, "replay of $cycles captures") or diag($err);
    like($err, qr/schedule of 20250629 on 20190623 loaded/,
         'the Sunday timetable of 2025 placed on the capture\'s Sunday')
        if $cycles == 40;

    my $rt = doc('realtime');
    my $score = doc('score');
    ok($rt && $score, 'realtime and score documents') or next;
    is($score->{ts}, $rt->{ts}, 'scored on the feed clock (the capture time)');
    ok(!$score->{stale}, 'not stale on the feed clock');
    my %active = map { $_->{route} => 1 } @{ $rt->{vehicles} };
    my %scored = map { $_->{route_id} => 1 } @{ $score->{items} };
    is_deeply([grep { !$scored{$_} } sort keys %active], [],
              'every route with a bus is scored');
    for my $i (@{ $score->{items} }) {
        next unless ($i->{headway_source} // '') eq 'trip_updates';
        $tu_headways++;
        $bad_headways++ unless $i->{observed_headway_sec} > 0
                            && $i->{observed_headway_sec} < 7200
                            && $i->{headways_observed} >= 1;
    }
    # predictions at the stops of the buses' updates
    my %stops;
    my $trips = decode_json($t->redis_cmd('HGET', 'mtw:saskatoon:trips', 'json') // '[]');
    ok(@$trips, scalar(@$trips) . ' trip updates in the live state');
    for my $trip (@$trips) {
        $stops{$_->{stop_id}} = 1 for @{ $trip->{stops} };
    }
    my %veh = map { $_->{id} => 1 } @{ $rt->{vehicles} };
    for my $stop (sort keys %stops) {
        my $p = doc("predictions:$stop") or next;
        for my $pr (@{ $p->{predictions} }) {
            $preds++;
            $bad_preds++ if $pr->{confidence} eq 'high' && $pr->{source} ne 'realtime';
            $bad_preds++ if defined $pr->{vehicle_id} && $pr->{vehicle_id} eq $pr->{trip_id};
            $bad_preds++ if $pr->{arrival_at} < $score->{ts} - 60;
        }
    }
}
# without a database the feeds alone are still scored
$t->redis_cmd('FLUSHALL');
($rc, $out, $err) = $t->worker({ MTW_CITY => 'saskatoon', MTW_CLOCK => 'feed',
    MTW_DATABASE_URL => '' }, 'run', '--replay', $dir, '--cycles', 120);
is($rc, 0, 'replay without a database') or diag($err);
my $alone = doc('score');
ok($alone && @{ $alone->{items} } > 10, 'scored from the feeds alone');
ok((grep { ($_->{headway_source} // '') eq 'trip_updates' } @{ $alone->{items} }),
   'with headways from TripUpdates');
ok(!doc('routes')->{routes}[0], 'no timetable: an empty route list, not an error');

ok($tu_headways > 0, "headways from TripUpdates ($tu_headways route-direction scores)");
is($bad_headways, 0, 'every TripUpdate headway positive and under 2 h');
ok($preds > 0, "$preds predictions at the updated stops");
is($bad_preds, 0, 'high only from realtime times, real vehicle ids, none past');

$t->done;
