#!/usr/bin/perl
# 60-e2e.t - the parts together: PostgreSQL (migrate + gtfs-load of the
# project's demo feed), the simulator writing .pb files into a folder the
# test's nginx serves, `mtw-worker run` polling them and publishing to Redis,
# and the same nginx answering the API from that Redis with the module.
# Every path of docs/openapi.json is called with ids taken from the worker's
# own documents, and each answer is checked against its documented schema
# (a small checker below: type, nullable, required, properties, items,
# allOf, enum), plus ETag / If-None-Match 304 and a feedback vote round trip
# for a vehicle of the current snapshot.

use strict;
use warnings;
use lib 't/lib';
use B ();
use File::Path qw(make_path);
use JSON::PP;
use MTW::Test;
use Test::More;
use Time::HiRes qw(sleep);

my $t = MTW::Test->new;
my $dir = $t->dir;
my $api = JSON::PP->new->utf8->decode(MTW::Test::slurp($t->root . '/docs/openapi.json'));

# --- the stack ----------------------------------------------------------------

my $zip = "$dir/demo.zip";
my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
is($rc, 0, 'simulate --demo-gtfs') or diag($err);
my $live = "$dir/live";
make_path($live);
$t->start_postgres;
$t->start_redis;
($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'demo', '--quiet', $zip);
is($rc, 0, 'gtfs-load of the demo feed') or diag($err);

$t->start_nginx(<<"CONF");
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_timeout 1s;
    mtw_redis_connect_timeout 1s;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /feeds/ { alias $live/; }
        location /api/ {
            mtw_api;
            mtw_city demo;
            mtw_openapi %%ROOT%%/docs/openapi.json;
        }
    }
CONF
my $feeds = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';
# on the wall clock, as in production and `make demo`: the module counts
# arrival_in_sec and drops past arrivals against its own clock, so a replay
# on the feed clock (MTW_CLOCK=feed, years ago) would show no predictions.
# The demo feed runs around the clock, so any hour of the day works.
$t->start_worker('sim', 'simulate', '--gtfs', $zip, '--out', $live,
    '--interval', '0.5', '--date', 'auto', '--clock', 'wall');
MTW::Test::wait_for('first frame', 20, sub { -e "$live/Alerts.pb" });
$t->start_worker('run', { MTW_CITY => 'demo', MTW_CLOCK => 'wall',
    MTW_SERVICE_DATE => 'auto', MTW_POLL_MS => 500, MTW_SCORE_SEC => 2,
    MTW_VEHICLES_URL => "$feeds/VehiclePositions.pb",
    MTW_TRIPS_URL => "$feeds/TripUpdates.pb", MTW_ALERTS_URL => "$feeds/Alerts.pb",
    MTW_ALERTS_POLL_SEC => 1 }, 'run');

sub get_json {
    my ($path) = @_;
    my $r = $t->get($path);
    return $r->{status} == 200 ? MTW::Test::json_of($r) : undef;
}

# the API itself says when the worker's documents are there
MTW::Test::wait_for('score over the API', 60, sub {
    my $s = get_json('/api/score');
    $s && ref $s->{items} eq 'ARRAY' && @{ $s->{items} };
}) or diag($t->worker_log('run'));
MTW::Test::wait_for('vehicles over the API', 30, sub {
    my $r = get_json('/api/realtime');
    $r && @{ $r->{vehicles} || [] };
});

# --- ids from the worker's own documents --------------------------------------

my $rt = get_json('/api/realtime');
my ($vehicle) = grep { defined $_->{route} } @{ $rt->{vehicles} };
ok($vehicle, "a vehicle on a route: $vehicle->{id}");
my $routes = get_json('/api/v1/routes');
my %listed = map { $_->{id} => 1 } @{ $routes->{routes} || [] };
ok($listed{ $vehicle->{route} }, "its route $vehicle->{route} is in /api/v1/routes");
my $route = $vehicle->{route};

# a stop of that route's live page with predictions
my $page = get_json("/api/dashboard/routes/$route/live");
my ($stop, $stop_name);
MTW::Test::wait_for('a stop with predictions', 30, sub {
    $page = get_json("/api/dashboard/routes/$route/live") or return 0;
    for my $s (@{ $page->{stops} || [] }) {
        my $p = get_json("/api/stops/$s->{id}/predictions");
        if ($p && @{ $p->{predictions} || [] }) {
            ($stop, $stop_name) = ($s->{id}, $s->{name});
            return 1;
        }
    }
    return 0;
});
ok(defined $stop, 'a stop of route ' . $route . ' with predictions: ' . ($stop // 'none'));
$stop //= 'none';
$stop_name //= 'x';
(my $prefix = lc $stop_name) =~ s/^(\w{3}).*/$1/s;

# --- the schema checker ---------------------------------------------------------

sub resolve {
    my ($s) = @_;
    while ($s && $s->{'$ref'}) {
        my ($name) = $s->{'$ref'} =~ m{^#/components/schemas/(.+)$}
            or die "unsupported \$ref $s->{'$ref'}";
        $s = $api->{components}{schemas}{$name} or die "no schema $name";
    }
    return $s;
}

# the JSON type of a decoded value: JSON::PP keeps integers as IVs, other
# numbers as NVs and strings as PVs
sub json_type {
    my ($v) = @_;
    return 'null' unless defined $v;
    return 'boolean' if JSON::PP::is_bool($v);
    return 'object' if ref $v eq 'HASH';
    return 'array' if ref $v eq 'ARRAY';
    my $f = B::svref_2object(\$v)->FLAGS;
    return 'integer' if $f & B::SVp_IOK && !($f & B::SVp_POK);
    return 'number' if $f & B::SVp_NOK && !($f & B::SVp_POK);
    return 'string';
}

# Returns the list of mismatches of $v against $schema at $where.
sub check_schema {
    my ($v, $schema, $where) = @_;
    $schema = resolve($schema) or return ();
    my @bad;
    my $got = json_type($v);
    return () if $got eq 'null' && $schema->{nullable};
    if ($schema->{allOf}) {
        push @bad, check_schema($v, $_, $where) for @{ $schema->{allOf} };
    }
    my $want = $schema->{type} or return @bad;
    return (@bad, "$where: null, not nullable $want") if $got eq 'null';
    my $ok = $got eq $want || ($want eq 'number' && $got eq 'integer');
    return (@bad, "$where: $got, want $want") unless $ok;
    if ($schema->{enum} && !grep { $_ eq $v } @{ $schema->{enum} }) {
        push @bad, "$where: '$v' not in enum";
    }
    if ($want eq 'object') {
        for my $k (@{ $schema->{required} || [] }) {
            push @bad, "$where: $k missing" unless exists $v->{$k};
        }
        my $props = $schema->{properties} || {};
        for my $k (sort keys %$props) {
            push @bad, check_schema($v->{$k}, $props->{$k}, "$where.$k") if exists $v->{$k};
        }
    } elsif ($want eq 'array' && $schema->{items}) {
        for my $i (0 .. $#$v) {
            push @bad, check_schema($v->[$i], $schema->{items}, "$where\[$i]");
            last if @bad > 5;
        }
    }
    return @bad;
}

# the checker itself catches what it is for
{
    my $s = { type => 'object', required => ['a', 'b'], properties => {
        a => { type => 'integer' }, b => { type => 'string', nullable => JSON::PP::true },
        c => { type => 'array', items => { type => 'number' } } } };
    is_deeply([check_schema({ a => 1, b => undef, c => [1, 2.5] }, $s, 'x')], [], 'checker: a good value');
    my @bad = check_schema(decode_json('{"a":"1","c":[true]}'), $s, 'x');
    is_deeply(\@bad, ['x: b missing', 'x.a: string, want integer', 'x.c[0]: boolean, want number'],
              'checker: missing, wrong scalar types, items');
    is_deeply([check_schema(decode_json('{"a":1.5,"b":"s"}'), $s, 'x')],
              ['x.a: number, want integer'], 'checker: a fraction is not an integer');
}

# --- every documented path ----------------------------------------------------

my %ids = (routeId => $route, stopId => $stop, vehicleId => $vehicle->{id});
# query parameters a call needs to be meaningful
my %query = (
    '/api/stops' => "name=$prefix",
    '/api/v1/stops' => "route_id=$route",
);
# the documents no worker job writes yet: the weather job is not part of the
# worker, so both weather endpoints answer the documented 503 not_published
my %absent = ('/api/dashboard/weather' => 503, '/api/weather/current' => 503);

my %called;
for my $path (sort keys %{ $api->{paths} }) {
    for my $method (grep { $_ eq 'get' } keys %{ $api->{paths}{$path} }) {
        my $op = $api->{paths}{$path}{$method};
        (my $url = $path) =~ s/\{(\w+)\}/$ids{$1} \/\/ die "no id for $1"/ge;
        $url .= "?$query{$path}" if $query{$path};
        my $res = $t->get($url);
        my $want = $absent{$path} // 200;
        $called{$path}++;
        is($res->{status}, $want, "GET $url: $want")
            or diag(substr($res->{content} // '', 0, 300));
        like($res->{headers}{'content-type'} // '', qr{^application/json}, "GET $url: JSON");
        my $body = MTW::Test::json_of($res);
        ok(defined $body, "GET $url: body parses");
        my $resp = $op->{responses}{ $res->{status} } or next;
        my $schema = $resp->{content}{'application/json'}{schema} or next;
        my @bad = check_schema($body, $schema, $path);
        is_deeply(\@bad, [], "GET $url: matches the $res->{status} schema")
            or diag(join "\n", @bad);
        if ($res->{status} == 503) {
            is($body->{error}{code}, 'not_published', "GET $url: not published yet");
            next;
        }
        # no ETag: these say how things are at this moment
        next if $path eq '/api/healthz' || $path eq '/api/livez' || $path eq '/api/readyz';
        my $etag = $res->{headers}{etag};
        like($etag // '', qr/^"[0-9a-f]{16}"$/, "GET $url: ETag");
        my $again = $t->get($url, headers => { 'If-None-Match' => $etag // '' });
        my $doc = $api->{paths}{$path}{get}{responses};
        if ($doc->{304}) {
            # live documents may be replaced between the two calls
            ok($again->{status} == 304 || ($again->{headers}{etag} // '') ne $etag,
               "GET $url: If-None-Match 304 (status $again->{status})");
            is($again->{content} // '', '', "GET $url: 304 has no body") if $again->{status} == 304;
        }
    }
}

# the values agree across the parts: what the simulator wrote, what the
# worker published and what the module built from it
my $ready = get_json('/api/readyz');
is($ready->{status}, 'ready', 'readyz: the worker heartbeat is fresh') or diag(explain($ready));
is($ready->{city}, 'demo', 'readyz: for the city of mtw_city');
$rt = get_json('/api/realtime');
is(scalar @{ $rt->{alerts} }, 2, "the simulator's two alerts reach /api/realtime");
ok(@{ $rt->{trips} } > 0, 'trip updates reach /api/realtime');
my $one = get_json("/api/realtime?route_id=$route");
ok(@{ $one->{vehicles} } && !grep({ ($_->{route} // '') ne $route } @{ $one->{vehicles} }),
   "realtime?route_id=$route: only that route's vehicles");
my $detail = get_json("/api/v1/routes/$route");
ok($detail && $detail->{route}, "route $route detail");
my %rows = map { $_->{id} => $_ } @{ get_json('/api/dashboard/routes')->{routes} };
is(scalar keys %rows, 3, 'dashboard routes: the 3 routes of the demo feed');
cmp_ok($rows{$route}{active_vehicles}, '>', 0, "route $route has active vehicles");
my $act = get_json("/api/v1/live-activity/route/$route");
cmp_ok($act->{active_vehicles}, '>', 0, 'live activity counts them too');
my $preds = get_json("/api/stops/$stop/predictions");
my @p = @{ $preds->{predictions} || [] };
ok(@p && @p <= 10, scalar(@p) . ' predictions, the web limit of 10 at most');
ok(!grep({ $p[$_]{arrival_at} < $p[$_ - 1]{arrival_at} } 1 .. $#p), 'sorted by arrival');
ok(!grep({ $_->{arrival_in_sec} < 0 } @p), 'no negative arrival_in_sec');
my %on_road = map { $_->{id} => 1 } @{ $rt->{vehicles} };
ok(!grep({ defined $_->{vehicle_id} && !$on_road{ $_->{vehicle_id} } } @p),
   'predicted vehicles are vehicles of the snapshot');
# a tracked bus's status and position in a prediction are its state in the
# same tick's realtime document (the module joins them from
# mtw:{city}:vstate): compared when no tick landed between the reads
# and so is the time of a realtime one: the TripUpdate's for the stop
my ($joined, $same, $timed, $on_time) = (0, 0, 0, 0);
MTW::Test::wait_for('predictions and realtime of one tick', 30, sub {
    my $before = $t->get('/api/realtime');
    my $p = get_json("/api/stops/$stop/predictions") or return 0;
    my $after = $t->get('/api/realtime');
    return 0 if $before->{status} != 200 || $before->{content} ne $after->{content};
    my $rtd = MTW::Test::json_of($after);
    my %veh = map { $_->{id} => $_ } @{ $rtd->{vehicles} };
    my %tu = map { $_->{trip} => $_ } grep { defined $_->{trip} } @{ $rtd->{trips} };
    ($joined, $same, $timed, $on_time) = (0, 0, 0, 0);
    for my $pr (grep { defined $_->{vehicle_id} && $veh{ $_->{vehicle_id} } } @{ $p->{predictions} }) {
        my $v = $veh{ $pr->{vehicle_id} };
        $joined++;
        $same++ if !exists $pr->{live} && $pr->{current_location}
            && $pr->{current_location}{lat} == $v->{lat}
            && $pr->{current_location}{lon} == $v->{lon}
            && JSON::PP->new->canonical->encode([$pr->{status}])
               eq JSON::PP->new->canonical->encode([$v->{status}]);
        next unless $pr->{source} eq 'realtime' && $tu{ $pr->{trip_id} // '' };
        $timed++;
        $on_time++ if grep { $_->{stop_id} eq $stop && ($_->{arr} // $_->{dep} // 0) == $pr->{arrival_at} }
            @{ $tu{ $pr->{trip_id} }{stops} };
    }
    return $joined > 0 && $timed > 0;
});
ok($joined > 0 && $same == $joined,
   "predictions show their buses' status and position of the tick ($same of $joined)");
ok($timed > 0 && $on_time == $timed,
   "realtime predictions show the tick's TripUpdate times for the stop ($on_time of $timed)");
my $v1 = get_json("/api/v1/stops/$stop/predictions?route_id=$route");
ok(@{ $v1->{predictions} } && @{ $v1->{predictions} } <= 5
   && !grep({ $_->{route_id} ne $route } @{ $v1->{predictions} }),
   'v1 predictions: route filter and limit 5');
is($v1->{stop}{id} // $v1->{stop}{stop_id} // $v1->{stop}{gtfs_id}, $stop, 'v1 predictions name the stop');
my $next = get_json("/api/v1/live-activity/stop/$stop/next-arrivals");
ok(@{ $next->{arrivals} } >= 1 && @{ $next->{arrivals} } <= 3, 'next arrivals: 1 to 3');
my $search = get_json("/api/stops?name=$prefix");
ok(ref $search eq 'ARRAY' && grep({ $_->{gtfs_id} eq $stop } @$search),
   "stop search '$prefix' finds the stop");
my $stops = get_json("/api/v1/stops?route_id=$route");
ok(grep({ ($_->{id} // $_->{stop_id} // '') eq $stop } @{ $stops->{stops} }),
   "v1 stops of route $route include the stop");

# --- feedback round trip ----------------------------------------------------------

my $vid = $vehicle->{id};
my $before = get_json("/api/vehicle-feedback/$vid");
my $late0 = $before->{summary}{late} // 0;
my $r = $t->http('POST', '/api/vehicle-feedback',
    headers => { 'Content-Type' => 'application/json' },
    body => encode_json({ vehicleId => $vid, vote => 'late' }));
$called{'/api/vehicle-feedback'}++;
is($r->{status}, 200, "POST feedback for vehicle $vid") or diag($r->{content});
my $vote = MTW::Test::json_of($r);
is_deeply([check_schema($vote, $api->{paths}{'/api/vehicle-feedback'}{post}{responses}{200}
    {content}{'application/json'}{schema}, 'vote')], [], 'vote answer matches FeedbackResult');
is($vote->{summary}{late}, $late0 + 1, 'the vote is counted');
my $after = get_json("/api/vehicle-feedback/$vid");
is($after->{summary}{late}, $late0 + 1, 'GET feedback sees the vote');
is($after->{summary}{total}, ($before->{summary}{total} // 0) + 1, '... in the total');
$r = $t->http('POST', '/api/vehicle-feedback',
    headers => { 'Content-Type' => 'application/json' },
    body => encode_json({ vehicleId => 'no-such-bus', vote => 'late' }));
is($r->{status}, 422, 'a vehicle not in the snapshot: 422');

is_deeply([grep { !$called{$_} } sort keys %{ $api->{paths} }], [], 'every documented path called');

$t->stop_worker('run');
$t->stop_worker('sim');
$t->done;
