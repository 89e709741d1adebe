#!/usr/bin/perl
# 48-history-positions.t - arrivals from a feed without stop sequences.
# The simulator plays the demo feed one frame at a time (`simulate --once`,
# 24 s of feed time apart) into two folders at the same instants: `live` as
# usual, `bare` with positions stripped of stop id, stop sequence and
# status (--bare-out), as most small agencies' feeds (and Saskatoon's own)
# are.  Two workers log them as two cities, a third logs a city with the
# TripUpdates alone (no positions at all); each frame waits until all three
# published it.  The bare city must find the same (trip run, stop)
# arrivals from positions alone, each exactly once, timed (median) within
# half a poll period of the truth and never a poll off.  The truth is the
# simulator's own: its TripUpdates give each remaining stop the time its
# vehicle reaches it (the vehicle moves with the same delays), so every
# TripUpdates frame is kept and decoded.  Prints recall and timing errors
# of both cities against it.  The frames' CANCELED runs and SKIPPED stops
# must be in service_exception, each once.
use strict;
use warnings;
use lib 't/lib';
use File::Path qw(make_path);
use JSON::PP;
use MTW::Test;
use Test::More;
use Time::HiRes qw(sleep);

my $t = MTW::Test->new;
my $dir = $t->dir;
my $zip = "$dir/demo.zip";
my ($live, $bare) = ("$dir/live", "$dir/bare");
make_path($live, $bare);

my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
is($rc, 0, 'demo feed') or diag($err);
$t->start_postgres;
$t->start_redis;
($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
for my $city (qw(full bare tu)) {
    ($rc, $out, $err) = $t->worker('gtfs-load', '--city', $city, '--quiet', $zip);
    is($rc, 0, "gtfs-load $city") or diag($err);
}
my %id = map { $_ => $t->city_id($_) } qw(full bare tu);

$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    # frames follow each other within a second: no 304 on a same-second
    # Last-Modified
    etag off;
    if_modified_since off;
    location /live/ { alias $live/; }
    location /bare/ { alias $bare/; }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port;
# The test plays the frames itself, one every 24 s of feed time from
# 08:00, and waits until both workers have published each one before the
# next: both see every frame, whatever the machine's load, and differ only
# by how they time a passage.
my $poll_feed_s = 24;
my ($ntu, $sec) = (0, 8 * 3600);
make_path("$dir/tu");
sub frame {
    my $hms = sprintf '%02d:%02d:%02d', $sec / 3600, ($sec / 60) % 60, $sec % 60;
    my ($rc_f, $json, $err_f) = $t->worker('simulate', '--gtfs', $zip, '--out', $live,
        '--bare-out', $bare, '--once', '--date', '2025-07-02', '--clock', 'feed',
        '--start', $hms, '--delay-profile', 'heavy');
    die "simulate --once at $hms: $err_f" if $rc_f != 0;
    # every TripUpdates frame is kept for the truth
    my $body = MTW::Test::slurp("$live/TripUpdates.pb");
    open my $fh, '>:raw', sprintf("$dir/tu/%05d.pb", $ntu++) or die;
    print $fh $body;
    close $fh;
    $sec += $poll_feed_s;
    return decode_json($json)->{ts};
}
my $ts = frame();

# the bare feed really has no stop sequence
my $vp = MTW::Test::slurp("$bare/VehiclePositions.pb");
my $vp_full = MTW::Test::slurp("$live/VehiclePositions.pb");
ok(length($vp) < length($vp_full), 'bare positions are smaller');

for my $city (qw(full bare)) {
    my $folder = $city eq 'full' ? 'live' : 'bare';
    $t->start_worker($city, { MTW_CITY => $city, MTW_CLOCK => 'feed',
        MTW_SERVICE_DATE => '2025-07-02', MTW_POLL_MS => 50, MTW_SCORE_SEC => 10,
        MTW_LOG_LEVEL => 'debug',
        MTW_VEHICLES_URL => "$base/$folder/VehiclePositions.pb",
        MTW_TRIPS_URL => "$base/$folder/TripUpdates.pb",
        MTW_ALERTS_URL => "$base/$folder/Alerts.pb" }, 'run');
}
# a third city has the TripUpdates only (no VehiclePositions at all)
$t->start_worker('tu', { MTW_CITY => 'tu', MTW_CLOCK => 'feed',
    MTW_SERVICE_DATE => '2025-07-02', MTW_POLL_MS => 50, MTW_SCORE_SEC => 10,
    MTW_LOG_LEVEL => 'debug', MTW_TRIPS_URL => "$base/live/TripUpdates.pb",
    MTW_ALERTS_URL => "$base/live/Alerts.pb" }, 'run');

sub count { $t->psql("SELECT count(*) FROM arrival_log WHERE city_id = $id{$_[0]}") }
sub published {
    my ($city) = @_;
    my $feed = $city eq 'tu' ? 'trips' : 'vehicles';
    return ($t->redis_cmd('HGET', "mtw:$city:$feed", 'ts') // 0) == $ts;
}
sub all_published { !grep { !published($_) } qw(full bare tu) }
# a worker's tick writes the arrivals it found before it publishes
MTW::Test::wait_for('frame 1 published', 30, \&all_published);
while (count('full') < 150 || count('bare') < 150) {
    die "no 150 arrivals by $sec" if $sec > 11 * 3600;
    $ts = frame();
    MTW::Test::wait_for("frame $ntu published", 30, \&all_published);
}
for my $city (qw(full bare tu)) {
    my ($rc_run) = $t->stop_worker($city);
    is($rc_run, 0, "worker $city stopped cleanly");
}

# the vehicles' rules, and for the runs no vehicle was matched to at the
# time (a bus gone before its last stops, say) the trip updates' rules
sub sources {
    my ($city) = @_;
    return { map { split /\|/ } split /\n/, $t->psql("SELECT source, count(*)
        FROM arrival_log WHERE city_id = $id{$city} GROUP BY source") };
}
my ($sb, $sf) = (sources('bare'), sources('full'));
is_deeply([sort keys %$sb], [grep { $sb->{$_} } qw(position trip_update)],
   'bare: every arrival from positions or trip updates');
is_deeply([sort keys %$sf], [grep { $sf->{$_} } qw(stop_sequence trip_update)],
   'full: every arrival from stop sequences or trip updates');
# what they fill in there are the ends of runs: a bus that leaves its
# first stop before it shows in the feed, or is gone before its last
my $ends = $t->psql("SELECT count(*) FROM arrival_log a WHERE source = 'trip_update'
    AND city_id IN ($id{full}, $id{bare}) AND stop_sequence <> (SELECT min(stop_sequence)
    FROM stop_times s WHERE s.city_id = a.city_id AND s.trip_id = a.trip_id)
    AND stop_sequence <> (SELECT max(stop_sequence) FROM stop_times s
    WHERE s.city_id = a.city_id AND s.trip_id = a.trip_id)");
is($ends, 0, sprintf 'with vehicles, the trip updates add only the ends of runs '
   . '(bare %d, full %d)', $sb->{trip_update} // 0, $sf->{trip_update} // 0);
is($t->psql("SELECT count(*) FROM arrival_log WHERE city_id = $id{tu}
    AND source <> 'trip_update'"), 0, 'trip updates only: every arrival from them');

# each exactly once: the worker never even offered a duplicate
my $log = $t->worker_log('bare');
my @writes = $log =~ /history bare: (\d+) arrivals \((\d+) new\)/g;
my ($offered, $dups) = (0, 0);
while (my ($a, $b) = splice(@writes, 0, 2)) {
    $offered += $a;
    $dups += $a - $b;
}
my $nbare = count('bare');
is($offered, $nbare, "bare: offered $offered arrivals, as many as logged");
is($dups, 0, 'bare: no duplicate offered');
my @tu_writes = $t->worker_log('tu') =~ /history tu: (\d+) arrivals \((\d+) new\)/g;
my ($tu_offered, $tu_dups) = (0, 0);
while (my ($a, $b) = splice(@tu_writes, 0, 2)) {
    $tu_offered += $a;
    $tu_dups += $a - $b;
}
is($tu_dups, 0, "trip updates only: $tu_offered arrivals offered, no duplicate");
is($t->psql("SELECT count(*) FROM arrival_log a JOIN LATERAL (SELECT 1 FROM arrival_log b
    WHERE b.city_id = a.city_id AND b.trip_id = a.trip_id
    AND b.trip_start_time = a.trip_start_time AND b.stop_sequence > a.stop_sequence
    AND b.arrived_at < a.arrived_at LIMIT 1) x ON true WHERE a.city_id = $id{bare}"), 0,
   'bare: arrivals in stop order along each trip run');

# the truth: the time each (trip, stop) is reached, from the TripUpdates
# and the runs it cancelled and the stops it skipped
my (%truth, %canceled, %skipped);
for my $file (sort glob("$dir/tu/*.pb")) {
    my ($rc_d, $json) = $t->worker('decode', $file);
    next if $rc_d != 0;
    for my $e (@{ decode_json($json)->{entity} || [] }) {
        my $tu = $e->{trip_update} or next;
        $canceled{ $tu->{trip}{trip_id} } = 1
            if ($tu->{trip}{schedule_relationship} // '') eq 'CANCELED';
        for my $u (@{ $tu->{stop_time_update} || [] }) {
            $skipped{"$tu->{trip}{trip_id}|$u->{stop_sequence}"} = 1
                if ($u->{schedule_relationship} // '') eq 'SKIPPED';
            next unless defined $u->{stop_sequence} && $u->{arrival} && $u->{arrival}{time};
            my $k = "$tu->{trip}{trip_id}|$u->{stop_sequence}";
            $truth{$k} = $u->{arrival}{time};
        }
    }
}
ok($ntu >= 20 && keys %truth > 100, "$ntu TripUpdates frames kept, "
   . scalar(keys %truth) . ' stop times of truth');

# the service the feed said would not run, in service_exception: each
# cancelled run and skipped stop once, for both cities (the trip updates
# are the same), and nothing else
ok(keys %canceled >= 1 && keys %skipped >= 1, scalar(keys %canceled)
   . ' runs cancelled and ' . scalar(keys %skipped) . ' stops skipped in the frames');
for my $city (qw(full bare tu)) {
    my @c = split /\n/, $t->psql("SELECT trip_id FROM service_exception
        WHERE city_id = $id{$city} AND kind = 'canceled' ORDER BY 1");
    my @k = split /\n/, $t->psql("SELECT trip_id || '|' || stop_sequence
        FROM service_exception WHERE city_id = $id{$city} AND kind = 'skipped'
        AND stop_id IS NOT NULL AND scheduled_at IS NOT NULL ORDER BY 1");
    is_deeply(\@c, [sort keys %canceled], "$city: every cancelled run recorded once");
    is_deeply(\@k, [sort keys %skipped], "$city: every skipped stop recorded once");
}

# a trip's first stop is left out of the timing: a bus waiting there has
# arrived before the time its TripUpdate gives (the departure's)
sub arrivals {
    my ($city, $source) = @_;
    my $only = $source ? "AND source = '$source'" : '';
    my %a;
    for (split /\n/, $t->psql("SELECT trip_id || '|' || stop_sequence || '|'
        || extract(epoch FROM arrived_at)::bigint || '|'
        || (stop_sequence = (SELECT min(stop_sequence) FROM stop_times s
            JOIN trips r USING (city_id, trip_id) WHERE s.city_id = a.city_id
            AND s.trip_id = a.trip_id))::int
        FROM arrival_log a WHERE city_id = $id{$city} $only"))
    {
        my ($trip, $seq, $at, $first) = split /\|/;
        $a{"$trip|$seq"} = [$at, $first];
    }
    return \%a;
}
sub errors {
    my ($arr) = @_;
    my @e = sort { $a <=> $b } map { abs($arr->{$_}[0] - $truth{$_}) }
        grep { !$arr->{$_}[1] && defined $truth{$_} } keys %$arr;
    return @e ? { n => scalar @e, median => $e[@e / 2], p95 => $e[int(0.95 * $#e)],
                  max => $e[-1] } : { n => 0, median => 0, p95 => 0, max => 0 };
}
# each city's own rule: stop sequences, positions, trip updates
my ($full, $bare_a, $tu_a) = (arrivals('full', 'stop_sequence'),
    arrivals('bare', 'position'), arrivals('tu'));
my $nfull = keys %$full;
my $matched = grep { $bare_a->{$_} } keys %$full;
my $recall = $nfull ? $matched / $nfull : 0;
my $extra = keys(%$bare_a) - $matched;
my ($ef, $eb, $et) = (errors($full), errors($bare_a), errors($tu_a));
# trip updates alone: the runs' first stops before the first frame, and
# the stop a run is at when first seen, are not guessed
my $tu_matched = grep { $tu_a->{$_} } keys %$full;
my $tu_recall = $nfull ? $tu_matched / $nfull : 0;
my $tu_extra = keys(%$tu_a) - $tu_matched;
# (the truth being the simulator's TripUpdate times, the timing shows only
# that a passage is timed by the last prediction, within the poll)
diag(sprintf 'trip updates only: recall %.1f %% (%d of the %d stop-sequence arrivals), '
    . '%d more; timing error (%d arrivals): median %d s, p95 %d s, max %d s',
    100 * $tu_recall, $tu_matched, $nfull, $tu_extra, $et->{n}, @$et{qw(median p95 max)});

diag(sprintf 'positions only: recall %.1f %% (%d of the %d stop-sequence arrivals), '
    . '%d more', 100 * $recall, $matched, $nfull, $extra);
diag(sprintf 'timing error against the simulator (%s, %d arrivals): median %d s, '
    . 'p95 %d s, max %d s', @$_) for ['stop sequences', $ef->{n}, @$ef{qw(median p95 max)}],
    ['positions only', $eb->{n}, @$eb{qw(median p95 max)}];
diag("poll period: $poll_feed_s s of feed time");
ok($tu_recall >= 0.9, sprintf 'trip updates only: recall %.3f >= 0.9', $tu_recall);
ok($et->{median} <= $poll_feed_s / 2,
   "trip updates only: median timing error $et->{median} s <= half a poll");
ok($et->{max} <= $poll_feed_s + 1,
   "trip updates only: every timing error ($et->{max} s at most) <= one poll");
ok($recall >= 0.95, sprintf 'recall %.3f >= 0.95', $recall);
ok($extra <= 0.05 * $nfull, "$extra arrivals the stop sequences did not see (<= 5 %)");
ok($eb->{n} >= 100, "$eb->{n} position arrivals timed against the truth");
# the stop-sequence rules time a stop by the first frame that shows the bus
# standing there, or half way between two frames: up to a poll late; the
# positions, by the schedule's pace between two frames
ok($eb->{median} <= $poll_feed_s / 2,
   "positions only: median timing error $eb->{median} s <= half a poll");
ok($eb->{max} <= $poll_feed_s + 1,
   "positions only: every timing error ($eb->{max} s at most) <= one poll");
ok($eb->{median} <= $ef->{median},
   "positions only time arrivals no worse than the stop sequences "
   . "(median $eb->{median} s against $ef->{median} s)");

done_testing;
