# Every endpoint against seeded Redis: 200 shapes with the reference's
# field names, Content-Type, Cache-Control, ETag and 304, HEAD, CORS
# (simple and preflight), gzip, 404 for unknown ids and cities, 503 for
# documents not published yet.
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;

my $t = MTW::Test->new;
$t->start_redis;
MTW::ApiSeed::seed($t);
$t->start_nginx(<<'CONF');
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_timeout 500ms;
    mtw_redis_connect_timeout 500ms;
    gzip on;
    gzip_min_length 100;
    gzip_types application/json;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ {
            mtw_api;
            mtw_city saskatoon;
            mtw_cors_origins https://mind-the-wait.ca capacitor://localhost;
            mtw_openapi %%ROOT%%/docs/openapi.json;
        }
    }
CONF

my $json = qr{^application/json; charset=utf-8$};
my $is_array = sub { ref $_[0] eq 'ARRAY' };
my $is_int = sub { defined $_[0] && $_[0] =~ /^-?\d+$/ };
my $now = time;

$t->check_requests([
    { path => '/api/healthz', status => 200,
      headers_like => { 'content-type' => $json },
      json => { status => 'ok', timestamp => $is_int } },
    { path => '/api/readyz', status => 200,
      json => { status => 'ready', city => 'saskatoon', redis => 'ok' } },

    { path => '/api/score', status => 200,
      headers_like => { 'content-type' => $json, 'cache-control' => 'no-cache',
                        etag => qr/^"[0-9a-f]{16}"$/ },
      json => { ts => $is_int, 'items.0.route_id' => '14510',
                'items.0.direction' => 0, 'items.0.vehicles' => 3,
                'items.0.grade' => 'A', 'items.0.confidence' => 'high',
                'items.0.observed_headway_sec' => 540 } },
    { path => '/api/score?city=nowhere', status => 404,
      headers_like => { 'cache-control' => 'no-store' },
      json => { 'error.code' => 'unknown_city' } },

    { path => '/api/realtime', status => 200,
      json => { ts => $is_int, 'vehicles' => sub { @{ $_[0] } == 3 },
                'trips.0.trip' => '12345', 'alerts.0.cause' => 10 } },
    { path => '/api/realtime?route_id=14514', status => 200,
      json => { vehicles => sub { @{ $_[0] } == 2
                  && !grep { $_->{route} ne '14514' } @{ $_[0] } },
                'trips.0.trip' => '12345' } },
    { path => '/api/realtime?route_id=nope', status => 404,
      json => { 'error.code' => 'not_found', 'error.message' => 'route not found' } },

    { path => '/api/stops?name=PRIM', status => 200,
      json => { '0.gtfs_id' => '4001', '0.name' => 'Primrose / Adilman',
                '1.gtfs_id' => '3734', '0.lat' => 52.14 } },
    { path => '/api/stops?name=Primrose+%2F+Len', status => 200,
      json => { '0.gtfs_id' => '3734' } },
    { path => '/api/stops?name=zzz', status => 200, body_like => qr/^\[\]$/ },
    { path => '/api/stops?lat=52.124&lon=-106.567&limit=2', status => 200,
      json => { '0.gtfs_id' => '3734', '0.distance_km' => sub { $_[0] < 0.2 },
                '1.gtfs_id' => '4001' } },

    { path => '/api/stops/3734/nearby?radius=1000', status => 200,
      json => { stop_id => '3734', stop_name => 'Primrose / Lenore',
                stop_lat => 52.1234, stop_lon => -106.5678, radius_m => 1000,
                count => 2, 'vehicles.0.vehicle_id' => '606',
                'vehicles.0.route_id' => '14514', 'vehicles.0.trip_id' => '12345',
                'vehicles.0.distance_meters' => sub { $_[0] > 150 && $_[0] < 300 },
                'vehicles.0.timestamp' => $is_int } },
    { path => '/api/stops/3734/nearby', status => 200,
      json => { radius_m => 500, count => 1 } },
    { path => '/api/stops/9999/nearby', status => 404,
      json => { 'error.message' => 'stop not found' } },

    # sorted by the joined times: 77777, listed last, comes first; 66666,
    # whose bus is gone, has no time and is left out
    { path => '/api/stops/3734/predictions', status => 200,
      headers_like => { 'cache-control' => 'no-cache' },
      json => { stop_id => '3734', stop_name => 'Primrose / Lenore',
                predictions => sub { join(' ', map { $_->{trip_id} } @{ $_[0] })
                                     eq '77777 12345 99999 12346' },
                'predictions.0.arrival_in_sec' => sub { $_[0] > 65 && $_[0] <= 95 },
                'predictions.0.arrival_at' => sub { $_[0] == $MTW::ApiSeed::NOW + 95 },
                'predictions.0.delay_sec' => 95 - 1000 + 120,
                'predictions.0.current_location.stops_away' => 0,
                'predictions.1.trip_id' => '12345',
                'predictions.1.arrival_in_sec' => sub { $_[0] > 150 && $_[0] <= 180 },
                'predictions.1.confidence' => 'high',
                'predictions.1.current_location.stops_away' => 2,
                'predictions.1.delay_sec' => 120 } },
    { path => '/api/stops/3734/predictions?limit=2', status => 200,
      json => { predictions => sub { join(' ', map { $_->{trip_id} } @{ $_[0] })
                                     eq '77777 12345' } } },
    { path => '/api/stops/3734/predictions?limit=1&route=14520', status => 200,
      json => { predictions => sub { @{ $_[0] } == 1 },
                'predictions.0.route_id' => '14520',
                # the bus's state joined from mtw:{city}:vstate, in the
                # place of the stored "live"
                'predictions.0.status.color' => 'green',
                'predictions.0.status.deviation_sec' => 30,
                'predictions.0.occupancy' => 'FEW_SEATS_AVAILABLE',
                'predictions.0.current_location.lat' => 52.13,
                'predictions.0.current_location.stops_away' => 4,
                # the time of its row in the bus's state
                'predictions.0.arrival_at' => sub { $_[0] == $MTW::ApiSeed::NOW + 400 },
                # and what the module makes: the stop, the delay
                'predictions.0.stop_id' => '3734',
                'predictions.0.stop_name' => 'Primrose / Lenore',
                'predictions.0.delay_sec' => 120,
                'predictions.0' => sub { !exists $_[0]{live} } },
      # the joined keys in their places: arrival_at before confidence,
      # delay_sec before scheduled_arrival_at (the seed's order is Perl's)
      body_like => qr/"arrival_at":\d+,"confidence":"high".*"delay_sec":120,"scheduled_arrival_at"|"delay_sec":120,"scheduled_arrival_at".*"arrival_at":\d+,"confidence":"high"/ },
    { path => '/api/stops/3734/predictions?limit=1&route=14520', status => 200,
      body_like => qr/"status":\{[^{}]*\},"occupancy":"FEW_SEATS_AVAILABLE","current_location":\{"lat":52.13,"lon":-106.6,"stops_away":4\}.*"trip_id":"99999","stop_id":"3734","stop_name":"Primrose \/ Lenore"|"trip_id":"99999","stop_id":"3734","stop_name":"Primrose \/ Lenore".*"status":\{[^{}]*\},"occupancy":"FEW_SEATS_AVAILABLE","current_location":\{"lat":52.13,"lon":-106.6,"stops_away":4\}/ },
    # a tracked bus gone from the states since: null, not an error
    { path => '/api/stops/3734/predictions?route=14514', status => 200,
      json => { predictions => sub { @{ $_[0] } == 3 },
                'predictions.2.trip_id' => '12346',
                'predictions.2.status' => undef,
                'predictions.2.occupancy' => undef,
                'predictions.2.current_location' => undef,
                'predictions.2.stop_id' => '3734',
                'predictions.2.delay_sec' => 120,
                'predictions.2' => sub { !exists $_[0]{live} && exists $_[0]{status} } } },
    { path => '/api/stops/4000/predictions', status => 200,
      json => { stop_id => '4000', predictions => sub { @{ $_[0] } == 0 } } },
    { path => '/api/stops/9999/predictions', status => 404,
      json => { 'error.code' => 'not_found' } },

    { path => '/api/v1/stops/3734/predictions', status => 200,
      json => { 'stop.id' => '3734', 'stop.name' => 'Primrose / Lenore',
                'stop.lat' => 52.1234, timestamp => $is_int,
                predictions => sub { @{ $_[0] } == 4 } } },
    { path => '/api/v1/stops/3734/predictions?limit=2&route_id=14514', status => 200,
      json => { predictions => sub { @{ $_[0] } == 2
                  && !grep { $_->{route_id} ne '14514' } @{ $_[0] } } } },
    { path => '/api/v1/live-activity/stop/3734/next-arrivals', status => 200,
      headers_like => { 'cache-control' => 'no-cache, no-store, must-revalidate' },
      json => { stop_id => '3734', 'arrivals.0.route_short_name' => '14',
                'arrivals.0.seconds_until' => sub { $_[0] > 65 && $_[0] <= 95 },
                'arrivals.1.seconds_until' => sub { $_[0] > 150 && $_[0] <= 180 },
                'arrivals.0.confidence' => 'high', timestamp => $is_int,
                arrivals => sub { @{ $_[0] } == 3 } } },
    { path => '/api/v1/live-activity/route/14514', status => 200,
      headers_like => { 'cache-control' => 'no-cache, no-store, must-revalidate' },
      json => { route_id => '14514', short_name => '14', active_vehicles => 2,
                on_time_vehicles => 1, late_vehicles => 1, health_percent => 50 } },
    { path => '/api/v1/live-activity/route/99', status => 404 },

    { path => '/api/v1/cities', status => 200,
      headers_like => { 'cache-control' => 'public, max-age=86400' },
      json => { 'cities.0.slug' => 'saskatoon', 'cities.0.zoom_level' => 12 } },
    { path => '/api/v1/routes', status => 200,
      headers_like => { 'cache-control' => 'public, max-age=300' },
      json => { 'routes.0.id' => '14510', 'routes.0.color' => 'FF8000',
                'routes.0.on_time_pct' => 92.5, city => 'saskatoon' } },
    { path => '/api/v1/routes/14514', status => 200,
      headers_like => { 'cache-control' => 'public, max-age=600' },
      json => { 'route.id' => '14514', 'stats.totalDays' => 28,
                'stats.scheduleRealismGrade' => 'under_scheduled',
                'live.grade' => 'B', timestamp => $is_int, age_sec => 10 } },
    { path => '/api/v1/routes/99999', status => 404,
      json => { 'error.code' => 'not_found', 'error.message' => 'route not found' } },
    { path => '/api/v1/stops', status => 200,
      headers_like => { 'cache-control' => 'public, max-age=3600' },
      json => { stops => sub { @{ $_[0] } == 4 }, timestamp => $is_int } },
    { path => '/api/v1/stops?route_id=14514', status => 200,
      json => { stops => sub { @{ $_[0] } == 2 } } },
    { path => '/api/v1/stops?route_id=99999', status => 404 },

    { path => '/api/vehicle-feedback/606', status => 200,
      json => { vehicleId => '606', 'summary.total' => 0, 'summary.ahead' => 0 } },

    { path => '/api/dashboard/overview', status => 200,
      json => { system_grade => 'B', is_feed_healthy => sub { $_[0] } } },
    { path => '/api/dashboard/routes', status => 200,
      json => { 'routes.0.days_of_data' => 12, 'routes.0.confidence_level' => 'high' } },
    { path => '/api/dashboard/routes/14514', status => 200,
      json => { 'trend.dates.0' => 'Sep 21' } },
    { path => '/api/dashboard/routes/14514/live', status => 200,
      json => { route_id => '14514', 'headway.min_sec' => 420,
                'counts.total_stops' => 41, 'stops.0.id' => '3734',
                'stops.0.is_timepoint' => 1, 'stops.1.sequence' => 2,
                'stops.0.approaching.0.vehicle_id' => '606',
                'stops.1.approaching' => sub { ref $_[0] eq 'ARRAY' && !@{ $_[0] } } } },
    { path => '/api/dashboard/routes/99999/live', status => 404 },
    { path => '/api/dashboard/weather', status => 503,
      headers_like => { 'retry-after' => qr/^\d+$/ },
      json => { 'error.code' => 'not_published' } },
    { path => '/api/weather/current', status => 503,
      json => { 'error.code' => 'not_published' } },
    { path => '/api/doc.json', status => 200,
      json => { openapi => qr/^3\./ } },
]);

# search results have exactly the matches, up to limit: a name matches
# where one of its words starts with the text (the text may run on over
# the following words); not inside a word
for my $case ([ '/api/stops?name=PRIM', 2 ], [ '/api/stops?name=Primrose+%2F+Len', 1 ],
              [ '/api/stops?lat=52.124&lon=-106.567&limit=2', 2 ],
              [ '/api/stops?lat=52.124&lon=-106.567', 4 ],
              [ '/api/stops?name=prim&limit=1', 1 ],
              [ '/api/stops?name=a', 2 ],             # Adilman, Avenue
              [ '/api/stops?name=2nd+ave', 1 ],
              [ '/api/stops?name=Lenore', 1 ],
              [ '/api/stops?name=rose', 0 ]) {
    my $doc = MTW::Test::json_of($t->get($case->[0]));
    is(scalar @{ $doc || [] }, $case->[1], "$case->[0]: $case->[1] stops");
}

# /api/realtime?route_id=: the filtered answer is kept per route under the
# document's ETag.  A body changed behind an unchanged ETag (never done by
# the worker) shows the cache answering; a new ETag is a new answer at once.
{
    my $orig = $t->redis_cmd('HGET', 'mtw:saskatoon:doc:realtime', 'body');
    my $first = $t->get('/api/realtime?route_id=14514');
    is($first->{status}, 200, 'realtime for one route');
    (my $moved = $orig) =~ s/"route":"14514"/"route":"14599"/g;
    isnt($moved, $orig, '(a body without route 14514)');
    $t->redis_cmd('HSET', 'mtw:saskatoon:doc:realtime', 'body', $moved);
    is($t->get('/api/realtime?route_id=14514')->{content}, $first->{content},
       '... same document ETag: the filtered answer from the cache');
    MTW::ApiSeed::put($t, 'realtime', $moved);
    my $now = MTW::Test::json_of($t->get('/api/realtime?route_id=14514'));
    is(scalar @{ $now->{vehicles} }, 0, '... a new ETag: filtered again at once');
    MTW::ApiSeed::put($t, 'realtime', $orig);
    is($t->get('/api/realtime?route_id=14514')->{content}, $first->{content},
       '... and back');
}

# /api/realtime joins the trip updates of the live state (mtw:{city}:trips,
# written once, in the document's transaction): new trip updates are a new
# answer and a new ETag at once though the document is the same; without
# them the answer has none; stored ones that are not a JSON array or
# object are a 503, never a broken body.
{
    my %orig = @{ $t->redis_cmd('HGETALL', 'mtw:saskatoon:trips') };
    for my $path ('/api/realtime', '/api/realtime?route_id=14514') {
        my $first = $t->get($path);
        my $tag = $first->{headers}{etag};
        MTW::ApiSeed::put_trips($t, [ { trip => '67890', route => '14514', rel => 0,
                                        stops => [] } ]);
        my $next = $t->get($path, headers => { 'If-None-Match' => $tag });
        is($next->{status}, 200, "$path: new trip updates are not a 304");
        isnt($next->{headers}{etag}, $tag, "$path: ... but a new ETag");
        is_deeply([ map { $_->{trip} } @{ MTW::Test::json_of($next)->{trips} } ],
                  ['67890'], "$path: ... with the new trip updates");
        is_deeply(MTW::Test::json_of($next)->{vehicles},
                  MTW::Test::json_of($first)->{vehicles}, "$path: ... and the same vehicles");
        $t->redis_cmd('HSET', 'mtw:saskatoon:trips', %orig);
        is($t->get($path)->{content}, $first->{content}, "$path: ... and back");
    }
    $t->redis_cmd('DEL', 'mtw:saskatoon:trips');
    my $none = $t->get('/api/realtime');
    is($none->{status}, 200, 'realtime without trip updates (no TripUpdates feed)');
    is_deeply(MTW::Test::json_of($none)->{trips}, [], '... has none');
    is(scalar @{ MTW::Test::json_of($none)->{vehicles} }, 3, '... and its vehicles');
    $t->redis_cmd('HSET', 'mtw:saskatoon:trips', %orig, 'json', 'not JSON');
    my $bad = $t->get('/api/realtime');
    is($bad->{status}, 503, 'stored trip updates that are not JSON: 503');
    is(MTW::Test::json_of($bad)->{error}{code}, 'bad_document', '... bad_document');
    $t->redis_cmd('HSET', 'mtw:saskatoon:trips', %orig);
    is($t->get('/api/realtime')->{status}, 200, '... and back');
}

# route:{id} is answered with the members of route:{id}:now added (what
# changes with the ticks, written apart from the history): a new ":now" is
# a new answer and ETag at once; without it the history alone; one that is
# not an object is a 503, never a broken body.
{
    my %now = @{ $t->redis_cmd('HGETALL', 'mtw:saskatoon:doc:route:14514:now') };
    for my $path ('/api/v1/routes/14514', '/api/dashboard/routes/14514') {
        my $first = $t->get($path);
        my $tag = $first->{headers}{etag};
        MTW::ApiSeed::put($t, 'route:14514:now', MTW::ApiSeed::enc({
            live => { grade => 'D', vehicles => 1, directions => [] },
            timestamp => 1, stale => JSON::PP::true, age_sec => 99 }));
        my $next = $t->get($path, headers => { 'If-None-Match' => $tag });
        is($next->{status}, 200, "$path: a new :now is not a 304");
        isnt($next->{headers}{etag}, $tag, "$path: ... but a new ETag");
        my $doc = MTW::Test::json_of($next);
        is_deeply([ $doc->{live}{grade}, $doc->{age_sec}, $doc->{stats}{totalDays} ],
                  [ 'D', 99, 28 ], "$path: ... the new live part and the history");
        $t->redis_cmd('HSET', 'mtw:saskatoon:doc:route:14514:now', %now);
        is($t->get($path)->{content}, $first->{content}, "$path: ... and back");
    }
    $t->redis_cmd('DEL', 'mtw:saskatoon:doc:route:14514:now');
    my $alone = MTW::Test::json_of($t->get('/api/v1/routes/14514'));
    ok(!exists $alone->{live} && $alone->{stats}{totalDays} == 28,
       'a route without its :now part: the history alone');
    $t->redis_cmd('HSET', 'mtw:saskatoon:doc:route:14514:now', %now, 'body', '[1]');
    my $bad = $t->get('/api/v1/routes/14514');
    is($bad->{status}, 503, 'a :now part that is not an object: 503');
    is(MTW::Test::json_of($bad)->{error}{code}, 'bad_document', '... bad_document');
    $t->redis_cmd('HSET', 'mtw:saskatoon:doc:route:14514:now', %now);
}

# route:{id}:live holds the buses at each stop of route:{id}:line, which
# the module joins: without its line the page is not published yet (503,
# Retry-After), and parts that do not match are a 503, never a broken body.
{
    my %line = @{ $t->redis_cmd('HGETALL', 'mtw:saskatoon:doc:route:14514:line') };
    $t->redis_cmd('DEL', 'mtw:saskatoon:doc:route:14514:line');
    my $r = $t->get('/api/dashboard/routes/14514/live');
    is($r->{status}, 503, 'a live page without its line: 503');
    is(MTW::Test::json_of($r)->{error}{code}, 'not_published', '... not published yet');
    ok($r->{headers}{'retry-after'}, '... with Retry-After');
    $t->redis_cmd('HSET', 'mtw:saskatoon:doc:route:14514:line', %line,
                  'body', '{"stops":[{"id":"3734"}]}');
    $r = $t->get('/api/dashboard/routes/14514/live');
    is($r->{status}, 503, 'a line of another length than the page: 503');
    is(MTW::Test::json_of($r)->{error}{code}, 'bad_document', '... bad_document');
    $t->redis_cmd('HSET', 'mtw:saskatoon:doc:route:14514:line', %line);
    is($t->get('/api/dashboard/routes/14514/live')->{status}, 200, '... and back');
}

# the Lua scripts go by EVALSHA; a Redis without them (flushed, restarted,
# failed over) answers NOSCRIPT and gets the text once by EVAL
sub script_calls {
    my $info = $t->redis_cmd('INFO', 'commandstats');
    my %n = map { $_ => ($info =~ /cmdstat_$_:calls=(\d+)/ ? $1 : 0) } qw(eval evalsha);
    return \%n;
}
$t->redis_cmd('SCRIPT', 'FLUSH');
my $c0 = script_calls();
is(scalar @{ MTW::Test::json_of($t->get('/api/stops?name=prim')) }, 2, 'search after SCRIPT FLUSH');
my $c1 = script_calls();
is($c1->{evalsha} - $c0->{evalsha}, 1, '... EVALSHA first');
is($c1->{eval} - $c0->{eval}, 1, '... NOSCRIPT, then EVAL once');
is(scalar @{ MTW::Test::json_of($t->get('/api/stops?name=prim')) }, 2, 'the next search');
my $c2 = script_calls();
is_deeply([ $c2->{evalsha} - $c1->{evalsha}, $c2->{eval} - $c1->{eval} ], [ 1, 0 ],
          '... by EVALSHA alone');

# weather documents answer once the worker publishes them
MTW::ApiSeed::put($t, 'weather:current', '{"observed_at":1760940000,'
    . '"temperature_celsius":-3.2,"weather_condition":"cloudy","transit_impact":"minor"}');
MTW::ApiSeed::put($t, 'weather', '{"current":{"weather_condition":"snow"},'
    . '"winter_operations":{"routes":[]}}');
$t->check_requests([
    { path => '/api/weather/current', status => 200,
      json => { weather_condition => 'cloudy', transit_impact => 'minor' } },
    { path => '/api/dashboard/weather', status => 200,
      json => { 'current.weather_condition' => 'snow' } },
]);

# the stored body and ETag are sent as they are; If-None-Match gives 304
my $score = MTW::ApiSeed::score_body();
my $r = $t->get('/api/score');
is($r->{content}, $score, '/api/score sends the stored bytes');
is($r->{headers}{etag}, MTW::ApiSeed::etag($score), 'with the stored ETag');
is($r->{headers}{'content-length'}, length $score, 'and their length');
my $etag = $r->{headers}{etag};

$t->check_requests([
    { path => '/api/score', headers => { 'If-None-Match' => $etag }, status => 304,
      empty_body => 1, headers_like => { etag => $etag } },
    { path => '/api/score', headers => { 'If-None-Match' => qq{"0000000000000000", $etag} },
      status => 304 },
    { path => '/api/score', headers => { 'If-None-Match' => '"0000000000000000"' },
      status => 200 },
    { method => 'HEAD', path => '/api/score', status => 200, empty_body => 1,
      headers_like => { etag => $etag, 'content-length' => length $score,
                        'content-type' => $json } },
    { method => 'HEAD', path => '/api/v1/routes/99999', status => 404, empty_body => 1 },
]);

# every answer that does not depend on the clock: ETag, 304, HEAD
for my $path ('/api/score?city=saskatoon', '/api/realtime', '/api/realtime?route_id=14514',
              '/api/stops?name=prim', '/api/stops?lat=52.12&lon=-106.56',
              '/api/stops/3734/nearby', '/api/vehicle-feedback/606', '/api/v1/cities',
              '/api/v1/routes', '/api/v1/routes/14514', '/api/v1/stops',
              '/api/v1/stops?route_id=14514', '/api/v1/live-activity/route/14514',
              '/api/dashboard/overview', '/api/dashboard/routes',
              '/api/dashboard/routes/14514', '/api/dashboard/routes/14514/live',
              '/api/weather/current', '/api/dashboard/weather', '/api/doc.json') {
    my $r = $t->get($path);
    my $tag = $r->{headers}{etag} // '';
    like($tag, qr/^"[^"]+"$/, "$path: an ETag");
    my $nm = $t->get($path, headers => { 'If-None-Match' => $tag });
    is($nm->{status}, 304, "$path: If-None-Match gives 304");
    is($nm->{content} // '', '', "$path: 304 has no body");
    my $h = $t->http('HEAD', $path);
    is($h->{status}, 200, "$path: HEAD 200");
    is($h->{content} // '', '', "$path: HEAD has no body");
    is($h->{headers}{'content-length'}, length $r->{content},
       "$path: HEAD has the GET's length");
    is($h->{headers}{etag}, $tag, "$path: HEAD has the GET's ETag");
}

# built answers have a stable ETag too
$r = $t->get('/api/stops?name=prim');
my $r2 = $t->get('/api/stops?name=prim', headers => { 'If-None-Match' => $r->{headers}{etag} });
is($r2->{status}, 304, 'a built answer (stop search) revalidates with 304');

# a new tick changes the ETag
MTW::ApiSeed::put($t, 'score', '{"ts":1,"items":[]}');
$r = $t->get('/api/score', headers => { 'If-None-Match' => $etag });
is($r->{status}, 200, 'a new document is sent again');
is($r->{content}, '{"ts":1,"items":[]}', 'with its new body');

# gzip applies to JSON
$r = $t->get('/api/v1/routes', headers => { 'Accept-Encoding' => 'gzip' });
is($r->{headers}{'content-encoding'}, 'gzip', 'JSON is gzipped when asked');

# CORS: allowed origins, preflight, others get nothing
my $origin = 'https://mind-the-wait.ca';
$t->check_requests([
    { path => '/api/v1/cities', headers => { Origin => $origin }, status => 200,
      headers_like => { 'access-control-allow-origin' => $origin,
                        vary => qr/Origin/,
                        'access-control-expose-headers' => qr/ETag/ } },
    { path => '/api/v1/routes/99999', headers => { Origin => 'capacitor://localhost' },
      status => 404,
      headers_like => { 'access-control-allow-origin' => 'capacitor://localhost' } },
    { path => '/api/v1/cities', headers => { Origin => 'https://evil.example' },
      status => 200, headers_like => { 'access-control-allow-origin' => undef } },
    { path => '/api/v1/cities', status => 200,
      headers_like => { 'access-control-allow-origin' => undef, vary => 'Origin' } },
    { method => 'OPTIONS', path => '/api/vehicle-feedback',
      headers => { Origin => $origin, 'Access-Control-Request-Method' => 'POST',
                   'Access-Control-Request-Headers' => 'content-type' },
      status => 204, empty_body => 1,
      headers_like => { 'access-control-allow-origin' => $origin,
                        'access-control-allow-methods' => 'POST, OPTIONS',
                        'access-control-allow-headers' => qr/Content-Type/,
                        'access-control-max-age' => '3600' } },
    { method => 'OPTIONS', path => '/api/score',
      headers => { Origin => $origin, 'Access-Control-Request-Method' => 'GET' },
      status => 204,
      headers_like => { 'access-control-allow-methods' => 'GET, HEAD, OPTIONS' } },
    { method => 'OPTIONS', path => '/api/score',
      headers => { Origin => 'https://evil.example',
                   'Access-Control-Request-Method' => 'GET' },
      status => 204, headers_like => { 'access-control-allow-origin' => undef,
                                       allow => 'GET, HEAD, OPTIONS' } },
    { method => 'OPTIONS', path => '/api/nothing', status => 404 },
]);

# readiness follows the worker's heartbeat
$t->redis_cmd('HSET', 'mtw:saskatoon:heartbeat', 'ts', time - 30, 'poll_sec', 12);
is($t->get('/api/readyz')->{status}, 200, 'readyz: a 30 s old heartbeat is fresh (limit 60 s)');
$t->redis_cmd('HSET', 'mtw:saskatoon:heartbeat', 'ts', time - 61);
$r = $t->get('/api/readyz');
is($r->{status}, 503, 'readyz: a 61 s old heartbeat is stale');
is(MTW::Test::json_of($r)->{error}{code}, 'not_ready', '... not_ready');
like($r->{headers}{'retry-after'} // '', qr/^\d+$/, '... with Retry-After');
$t->redis_cmd('HSET', 'mtw:saskatoon:heartbeat', 'ts', time - 61, 'poll_sec', 30);
is($t->get('/api/readyz')->{status}, 200, 'readyz: poll_sec 30 allows 90 s');
is($t->get('/api/readyz?city=nowhere')->{status}, 503, 'readyz: no heartbeat, not ready');
$t->redis_cmd('HSET', 'mtw:saskatoon:heartbeat', 'ts', time);

# a vote counts and the summary shows it
$r = $t->http('POST', '/api/vehicle-feedback',
              body => '{"vehicleId":" 606 ","vote":"late"}',
              headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 200, 'feedback POST: 200');
my $doc = MTW::Test::json_of($r);
is_deeply($doc, { vehicleId => '606', vote => 'late',
                  summary => { ahead => 0, on_time => 0, late => 1, total => 1 } },
          'feedback POST: the reference shape with the new counters');
# one vote per client, vehicle and trip: a second one is refused, not counted
$r = $t->http('POST', '/api/vehicle-feedback', body => '{"vehicleId":"606","vote":"ahead"}');
is($r->{status}, 409, 'a second vote on the same vehicle and trip: 409');
is(MTW::Test::json_of($r)->{error}{code}, 'already_voted', '... already_voted');
is($t->redis_cmd('HGET', 'mtw:saskatoon:feedback:606', 'total'), 1, '... not counted');
# the vehicle on its next trip: a new vote
my $veh = $t->redis_cmd('HGET', 'mtw:saskatoon:vehicle', '606');
(my $next = $veh) =~ s/"trip":"12345"/"trip":"12399"/ or die "no trip in $veh";
$t->redis_cmd('HSET', 'mtw:saskatoon:vehicle', '606', $next);
$r = $t->http('POST', '/api/vehicle-feedback', body => '{"vehicleId":"606","vote":"ahead"}');
is(MTW::Test::json_of($r)->{summary}{total}, 2, 'the same vehicle on another trip: the vote counts');
$t->redis_cmd('HSET', 'mtw:saskatoon:vehicle', '606', $veh);
$doc = MTW::Test::json_of($t->get('/api/vehicle-feedback/606'));
is_deeply($doc->{summary}, { ahead => 1, on_time => 0, late => 1, total => 2 },
          'feedback GET shows the counters');
my $ttl = $t->redis_cmd('TTL', 'mtw:saskatoon:feedback:606');
ok($ttl > 86000 && $ttl <= 86400, "feedback counters expire in 24 h ($ttl)");

$t->done;
