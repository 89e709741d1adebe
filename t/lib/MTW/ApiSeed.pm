package MTW::ApiSeed;

# MTW::ApiSeed - realistic documents and live keys for the API tests, in
# the shapes of reference-api.md and the keys of docs/redis-contract.md,
# written straight into Redis the way the worker publishes them.
#
#   use MTW::ApiSeed;
#   MTW::ApiSeed::seed($t);                 # city "saskatoon"
#   my $body = MTW::ApiSeed::score_body();  # the ~5 KB /api/score document

use strict;
use warnings;
use JSON::PP;
use POSIX ();
use IO::Socket::INET;
use MTW::Test;
use MTW::Hash64;

our $CITY = 'saskatoon';
our $NOW = time;

my $json = JSON::PP->new->canonical(0)->utf8;

sub enc { $json->encode($_[0]) }

# the contract's ETag of a body
sub etag { MTW::Hash64::etag($_[0]) }

sub put {
    my ($t, $name, $body, $city) = @_;
    $city //= $CITY;
    return $t->put_doc($city, $name, $body, etag => etag($body), ts => $NOW);
}

# the live state's trip updates (mtw:{city}:trips), as the worker writes them
sub put_trips {
    my ($t, $trips, $city) = @_;
    my $json = enc($trips);
    $city //= $CITY;
    $t->redis_cmd('HSET', "mtw:$city:trips", 'ts', $NOW, 'json', $json,
                  'etag', etag($json), 'stale', 0, 'age_sec', 0);
}

my @ROUTES = map { { id => "145$_", short => "$_" } } (10 .. 49);

sub score_body {
    my @items;
    for my $r (@ROUTES) {
        for my $dir (0, 1) {
            push @items, { route_id => $r->{id}, direction => $dir,
                observed_headway_sec => 540 + $dir * 60,
                scheduled_headway_sec => undef, vehicles => 3,
                grade => 'A', confidence => 'high', as_of => $NOW };
        }
    }
    # ~ 5 KB: the real document of a 40-route city
    my $body = '{"ts":' . $NOW . ',"items":[' . join(',', map {
        my $i = $_;
        sprintf('{"route_id":"%s","direction":%d,"observed_headway_sec":%d,'
            . '"scheduled_headway_sec":null,"vehicles":%d,"grade":"%s",'
            . '"confidence":"%s","as_of":%d}', $i->{route_id}, $i->{direction},
            $i->{observed_headway_sec}, $i->{vehicles}, $i->{grade},
            $i->{confidence}, $i->{as_of})
    } @items[0 .. 35]) . ']}';
    return $body;
}

sub status {
    my ($d) = @_;
    return { color => 'orange', label => 'late', severity => "\x{1f62c} delayed",
             deviation_sec => $d, reason => undef,
             feedback => { ahead => 0, on_time => 0, late => 0, total => 0 } };
}

sub vehicles {
    return (
        { id => '606', trip => '12345', route => '14514', lat => 52.1251,
          lon => -106.5662, bearing => 180.0, speed => 8.3, ts => $NOW - 10,
          status => status(240) },
        { id => '707', trip => '12346', route => '14514', lat => 52.1300,
          lon => -106.5700, bearing => 90.0, speed => 5.0, ts => $NOW - 12,
          status => status(30) },
        { id => '808', trip => '22222', route => '14520', lat => 52.2000,
          lon => -106.6000, bearing => undef, speed => undef, ts => $NOW - 5 },
    );
}

sub stops {
    return (
        { id => '3734', name => 'Primrose / Lenore', lat => 52.1234, lon => -106.5678 },
        { id => '3900', name => 'Evergreen / Wyant', lat => 52.168249, lon => -106.575778 },
        { id => '4000', name => '19th Street / 2nd Avenue', lat => 52.124263, lon => -106.666571 },
        { id => '4001', name => 'Primrose / Adilman', lat => 52.1400, lon => -106.5800 },
    );
}

sub prediction {
    my ($trip, $route, $short, $in) = @_;
    return { vehicle_id => $trip, route_id => $route, route_short_name => $short,
             trip_id => $trip, stop_id => '3734', stop_name => 'Primrose / Lenore',
             headsign => 'University', arrival_in_sec => $in,
             arrival_at => $NOW + $in, confidence => 'high', status => undef,
             current_location => { lat => 52.12, lon => -106.56, stops_away => 2 },
             feedback_summary => { ahead => 0, on_time => 0, late => 0, total => 0 },
             delay_sec => 120 };
}

# A prediction as the worker stores it for a bus it tracks: "live" (with
# the bus's stops_away) where status, occupancy and current_location go.
# It leaves out what the module makes: the stop's id and name, and
# delay_sec (from scheduled_arrival_at).
sub joined {
    my ($p, $stops_away) = @_;
    delete @{$p}{qw(status occupancy current_location stop_id stop_name)};
    $p->{scheduled_arrival_at} = $p->{arrival_at} - delete $p->{delay_sec};
    $p->{live} = { stops_away => $stops_away };
    return $p;
}

# A prediction along its bus's trip: its time is the bus's too ("eta" of
# the bus's state, at the stop's "row"), and so is its stops_away (from
# the row the bus goes to next); it leaves out arrival_at as well.
sub timed {
    my ($p, $row) = @_;
    joined($p);
    delete $p->{arrival_at};
    $p->{live} = { row => $row };
    return $p;
}

# The stop name index entries of one stop (worker/docs/search.h): for each
# word start of the lower-cased name (ASCII A-Z only), the name from there
# (64 bytes at most), a NUL, the id.
sub search_entries {
    my ($name, $id) = @_;
    (my $low = $name) =~ tr/A-Z/a-z/;
    my @e;
    while ($low =~ /(?<![a-z0-9\x80-\xff])(?=[a-z0-9\x80-\xff])/g) {
        last if @e == 16;
        push @e, substr($low, pos($low), 64) . "\0" . $id;
    }
    return @e;
}

# Everything a worker tick of city $CITY would leave in Redis, written in
# one MULTI/EXEC as the worker does (a reader never sees half of it).
sub seed {
    my ($t) = @_;
    my $tx = MTW::ApiSeed::Tx->new;
    seed_into($tx);
    $tx->commit($t);
}

sub seed_into {
    my ($t) = @_;
    my $c = $CITY;
    $t->redis_cmd('SADD', 'mtw:cities', $c);
    my $cities = enc({ cities => [ { id => 1, name => 'Saskatoon', slug => $c,
        country => 'CA', center_lat => 52.1324, center_lon => -106.6689,
        zoom_level => 12 } ] });
    $t->redis_cmd('HSET', 'mtw:doc:cities', 'body', $cities, 'etag', etag($cities),
                  'ts', $NOW);

    put($t, 'score', score_body());

    my @v = vehicles();
    # the trip updates live in the live state's hash: the module joins them
    put($t, 'realtime', enc({ ts => $NOW, vehicles => \@v,
        alerts => [ { cause => 10, effect => 9 } ] }));
    put_trips($t, [ { trip => '12345', route => '14514', rel => 0, stops => [
        { stop_id => '3734', seq => 12, arr => $NOW + 180, dep => $NOW + 190,
          delay => 120, rel => 0 } ] } ]);

    my @routes = map { { id => $_->{id}, short_name => $_->{short},
        long_name => "Route $_->{short} Line", color => 'FF8000', grade => 'A',
        on_time_pct => 92.5, active_vehicles => 3, days_of_data => 12,
        confidence_level => 'high' } } @ROUTES;
    put($t, 'routes', enc({ routes => \@routes, timestamp => $NOW, city => $c }));

    my $route = { id => '14514', short_name => '14', long_name => 'Route 14 Line',
                  color => 'FF8000' };
    put($t, 'route:14514', enc({ route => $route, stats => { totalDays => 28,
        avgPerformance => 84.3, bestDay => 'Oct 5', bestPerformance => 97.1,
        worstDay => 'Oct 14', worstPerformance => 61.2, grade => 'B',
        scheduleRealismRatio => 1.08, scheduleRealismGrade => 'under_scheduled',
        systemComparison => undef }, trend => { dates => ['Sep 21'],
        on_time_pct => [88.2] } }));
    # what changes with the ticks: the module adds its members
    put($t, 'route:14514:now', enc({ live => { grade => 'B', vehicles => 2,
        directions => [] }, timestamp => $NOW, stale => JSON::PP::false,
        age_sec => 10 }));
    put($t, 'route:14514:live', enc({ route_id => '14514', updated_at => $NOW - 10,
        age_sec => 10, is_stale => JSON::PP::false,
        direction_label => "University (Hub) \x{21d4} Depot",
        headway => { min_sec => 420, max_sec => 600 },
        counts => { vehicles_online => 2, timepoints => 12, total_stops => 41 },
        # the buses approaching each stop of the line, which the module
        # puts into route:14514:line's stops
        stops => [ [ { vehicle_id => '606', trip_id => '12345',
                       arrival_at => $NOW + 120, confidence => 'high' } ], [] ],
        vehicles => [] }));
    put($t, 'route:14514:line', enc({ stops => [
        { id => '3734', name => 'Primrose / Lenore', is_timepoint => JSON::PP::true,
          sequence => 1 },
        { id => '3735', name => 'Primrose / Kenderdine', is_timepoint => JSON::PP::false,
          sequence => 2 } ] }));
    put($t, 'route:14514:activity', enc({ route_id => '14514', short_name => '14',
        color => 'FF8000', active_vehicles => 2, on_time_vehicles => 1,
        late_vehicles => 1, early_vehicles => 0, health_percent => 50,
        timestamp => $NOW }));

    my @s = stops();
    put($t, 'stops', enc({ stops => \@s, timestamp => $NOW }));
    put($t, 'route:14514:stops', enc({ stops => [ @s[0, 3] ], timestamp => $NOW }));
    my $shape14 = { route_id => '14514', short_name => '14', color => 'FF8000', shapes => [
        { shape_id => 's14', direction => 0,
          points => [ map { [ $_->{lat}, $_->{lon} ] } @s[0, 3] ] } ] };
    put($t, 'shapes', enc({ routes => [ $shape14 ], tolerance_m => 5, timestamp => $NOW }));
    put($t, 'route:14514:shape', enc({ %$shape14, timestamp => $NOW }));

    put($t, 'predictions:3734', enc({
        predictions => [ prediction('12345', '14514', '14', 180),
                         # tracked buses, whose state the module joins
                         # from mtw:{city}:vstate: 99999's there, 12346's
                         # gone
                         timed(prediction('99999', '14520', '20', 400), 7),
                         joined(prediction('12346', '14514', '14', 900), undef),
                         { %{ prediction('55555', '14514', '14', 0) },
                           arrival_at => $NOW - 600 },
                         # listed last, sooner by its bus's state now
                         timed(prediction('77777', '14514', '14', 1000), 2),
                         # its bus gone: no time, not answered
                         timed(prediction('66666', '14514', '14', 500), 9) ] }));

    put($t, 'overview', enc({ system_grade => 'B', on_time_percentage => 83.4,
        insight => '42 buses are running. Route 14 needs attention most.',
        active_vehicles => 3, total_routes => 40, change_vs_yesterday => 0,
        current_weather => undef, top_performers => [], needs_attention => [],
        historical_top_performers => [], historical_worst_performers => [],
        timestamp => $NOW, is_feed_healthy => JSON::PP::true,
        feed_last_updated => $NOW - 10 }));

    for my $s (@s) {
        $t->redis_cmd('HSET', "mtw:$c:stop", $s->{id}, enc($s));
        $t->redis_cmd('ZADD', "mtw:$c:stop:search", map { (0, $_) }
            search_entries($s->{name}, $s->{id}));
        $t->redis_cmd('GEOADD', "mtw:$c:geo:stops", $s->{lon}, $s->{lat}, $s->{id});
    }
    # the buses its "live" items join, as the worker lists them
    $t->redis_cmd('HSET', "mtw:$c:doc:predictions:3734", 'vids',
                  '99999 12346 77777 66666');
    # 99999 at row 7: $NOW + 300 + 100, 4 stops after its next (row 3)
    $t->redis_cmd('HSET', "mtw:$c:vstate", '99999', enc({
        status => { color => 'green', label => 'On time', severity => 'none',
                    deviation_sec => 30, reason => undef, source => 'realtime' },
        occupancy => 'FEW_SEATS_AVAILABLE', lat => 52.13, lon => -106.6,
        row => 3, eta => { row => 5, at => $NOW + 300, dt => [ 0, undef, 100 ] } }));
    # 77777 at row 2: $NOW + 95 (its list says 1000), its next stop
    $t->redis_cmd('HSET', "mtw:$c:vstate", '77777', enc({
        status => undef, occupancy => undef, lat => 52.125, lon => -106.57,
        row => 2, eta => { row => 2, at => $NOW + 95, dt => [ 0 ] } }));
    for my $v (@v) {
        $t->redis_cmd('HSET', "mtw:$c:vehicle", $v->{id}, enc($v));
        $t->redis_cmd('GEOADD', "mtw:$c:geo:vehicles", $v->{lon}, $v->{lat}, $v->{id});
    }
    $t->redis_cmd('HSET', "mtw:$c:heartbeat", 'ts', $NOW, 'pid', 1, 'host', 'test',
                  'poll_sec', 12);
}

# Records redis_cmd/put_doc calls, then sends them as one transaction.
package MTW::ApiSeed::Tx;

sub new { bless { cmds => [] }, shift }

sub redis_cmd { my ($self, @args) = @_; push @{ $self->{cmds} }, \@args; return 1 }

sub put_doc {
    my ($self, $city, $name, $body, %opt) = @_;
    $self->redis_cmd('HSET', "mtw:$city:doc:$name", 'body', $body,
                     'etag', $opt{etag}, 'ts', $opt{ts});
    return $opt{etag};
}

sub commit {
    my ($self, $t) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->redis_port,
                                  Proto => 'tcp', Timeout => 5) or die "redis: $!";
    my $req = '';
    for my $c ([ 'MULTI' ], @{ $self->{cmds} }, [ 'EXEC' ]) {
        $req .= '*' . @$c . "\r\n";
        for my $a (@$c) {
            my $b = $a;
            utf8::encode($b) if utf8::is_utf8($b);
            $req .= '$' . length($b) . "\r\n$b\r\n";
        }
    }
    print $s $req;
    my $n = @{ $self->{cmds} } + 1;
    MTW::Test::_resp_read($s) for 1 .. $n;      # +OK, +QUEUED ...
    my $exec = MTW::Test::_resp_read($s);
    die "seed transaction failed\n" unless ref $exec eq 'ARRAY';
    close $s;
}

package MTW::ApiSeed;

# Load: $n children each send GETs for $secs seconds (a new connection per
# request unless keep_alive), cycling through @$paths.  Returns a list of
# [status, seconds, path] of every request.  $during->() runs in the parent
# meanwhile (kill Redis, reload nginx, ...).
sub load {
    my ($t, %o) = @_;
    my $n = $o{clients} // 4;
    my $secs = $o{secs} // 3;
    my $paths = $o{paths} // ['/api/score'];
    my $port = $t->nginx_port;
    my $out = $t->dir . '/load-' . ++$t->{load_n};
    my @pids;
    for my $c (1 .. $n) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            require HTTP::Tiny;
            require Time::HiRes;
            my $ua = HTTP::Tiny->new(timeout => 10, keep_alive => $o{keep_alive} // 0);
            open my $fh, '>', "$out.$c" or die;
            my $until = Time::HiRes::time() + $secs;
            my $i = $c;
            while (Time::HiRes::time() < $until) {
                my $p = $paths->[$i++ % @$paths];
                my $t0 = Time::HiRes::time();
                my $r = $ua->get("http://127.0.0.1:$port$p");
                printf $fh "%d %.4f %s\n", $r->{status}, Time::HiRes::time() - $t0, $p;
            }
            close $fh;
            POSIX::_exit(0);
        }
        push @pids, $pid;
    }
    $o{during}->() if $o{during};
    waitpid($_, 0) for @pids;
    my @res;
    for my $c (1 .. $n) {
        open my $fh, '<', "$out.$c" or next;
        while (<$fh>) { chomp; push @res, [ split / /, $_, 3 ] }
    }
    return @res;
}

1;
