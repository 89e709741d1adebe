# The weather job against a local stand-in for Open-Meteo (recorded-shape
# answers in t/data/weather): `mtw-worker weather` stores the observation,
# links the daily rows to their day's weather, publishes weather:current
# and weather with the analysis numbers of planted history and a plain
# reading of them; --backfill reads the archive; a network or an answer
# that fails changes nothing; `run` starts the job by itself.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use MTW::Test;

my $t = MTW::Test->new;
my $dir = $t->dir;
my $wx = $t->root . '/t/data/weather';
$t->start_postgres;
$t->start_redis;
$t->start_nginx(<<"CONF");
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    server {
        listen 127.0.0.1:%%PORT%%;
        default_type application/json;
        location = /v1/forecast { alias $wx/forecast-current.json; }
        location = /v1/archive { alias $wx/archive-2025-01-06-13.json; }
        location = /broken/forecast { return 200 '<html>maintenance</html>'; }
        location /api/ { mtw_api; mtw_city tiny; }
        # a stand-in for an OpenAI-compatible API: answers only with the key
        location = /openai/v1/chat/completions {
            if (\$http_authorization != "Bearer sk-test-4d7f1c") { return 401; }
            if (\$request_method != POST) { return 405; }
            return 200 '{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"  Snow costs Route 1 twenty points.  "},"finish_reason":"stop"}]}';
        }
        location = /openai-down/v1/chat/completions { return 500 '{"error":{"message":"overloaded"}}'; }
    }
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port;
my %env = (MTW_WEATHER_URL => "$base/v1/forecast", MTW_WEATHER_ARCHIVE_URL => "$base/v1/archive");

my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
$t->write_zip("$dir/tiny.zip", $t->tiny_gtfs);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'tiny', '--quiet', "$dir/tiny.zip");
is($rc, 0, 'gtfs-load') or diag($err);

# history: two routes over 8 days (2025-01-06 .. 13); R1 loses 20 points in
# snow, R2 5; the cloudy day (-25 °C) is the worst
my @days = map { sprintf '2025-01-%02d', $_ } 6 .. 13;
my %pct = (R1 => [ 90, 92, 94, 70, 72, 74, 88, 60 ], R2 => [ 85, 85, 85, 80, 80, 80, 86, 62 ]);
for my $r (sort keys %pct) {
    for my $i (0 .. $#days) {
        $t->psql(qq{INSERT INTO route_performance_daily (city_id, route_id, service_date,
            on_time_pct) SELECT id, '$r', '$days[$i]', $pct{$r}[$i] FROM city WHERE slug = 'tiny'});
    }
}

# the archive: 24 observations, each day's rows linked to its noon
($rc, $out, $err) = $t->worker({ %env }, 'weather', '--city', 'tiny', '--backfill',
                               '2025-01-06', '2025-01-13');
is($rc, 0, 'weather --backfill') or diag($err);
like($out, qr/weather tiny: 24 observation\(s\) stored, 16 row\(s\) linked/, 'stored and linked');
is($t->psql(q{SELECT count(*) FROM weather_observation}), 24, '24 rows');
is($t->psql(q{SELECT count(*) FROM route_performance_daily r JOIN weather_observation w
    ON w.id = r.weather_observation_id
    WHERE w.observed_at = (r.service_date + time '12:00') AT TIME ZONE 'America/Regina'}), 16,
   "each day's rows linked to that day's local noon");
is($t->psql(q{SELECT string_agg(DISTINCT weather_condition, ',' ORDER BY weather_condition)
    FROM weather_observation}), 'clear,cloudy,fog,snow', 'fog codes are fog (the reference: unknown)');
is($t->psql(q{SELECT max(snow_depth_cm) FROM weather_observation}), 15,
   'snow depth in cm (0.15 m; the reference stored 0)');

# the route page's weather chart: R1's on-time % by its days' weather
($rc, $out, $err) = $t->worker('score', '--city', 'tiny', '--date', '2025-01-14', '--at', '08:00',
                               '--repeat', '1', '--publish');
is($rc, 0, 'score --publish') or diag($err);
my $route = decode_json($t->get('/api/dashboard/routes/R1')->{content});
is_deeply($route->{weather}, [
    { condition => 'clear', avg_on_time_pct => 92, days => 3 },
    { condition => 'fog', avg_on_time_pct => 88, days => 1 },
    { condition => 'snow', avg_on_time_pct => 72, days => 3 },
    { condition => 'cloudy', avg_on_time_pct => 60, days => 1 } ],
    "route R1: on time by the day's weather, best first");

# the current observation, and the documents
($rc, $out, $err) = $t->worker({ %env }, 'weather', '--city', 'tiny');
is($rc, 0, 'weather (current)') or diag($err);
my $cur = $t->get('/api/weather/current');
is($cur->{status}, 200, '/api/weather/current: 200');
my $c = decode_json($cur->{content});
is($c->{observed_at}, 1764849600, 'the observation time');
is($c->{weather_condition}, 'snow', 'condition');
is($c->{transit_impact}, 'minor', 'impact');
is($c->{snow_depth_cm}, 12, 'snow depth 12 cm');
is($c->{visibility_km}, 2.4, 'visibility 2.4 km');
is($c->{temperature_celsius}, -12.3, 'temperature');

my $w = decode_json($t->get('/api/dashboard/weather')->{content});
is_deeply($w->{current}, $c, 'the weather page has the same current observation');
my $wo = $w->{winter_operations};
is_deeply([ map { [ $_->{short_name}, $_->{clear_pct}, $_->{snow_pct}, $_->{drop} ] } @{ $wo->{routes} } ],
          [ [ '1', 92, 72, 20 ], [ 'R2', 85, 80, 5 ] ], 'clear vs snow per route, worst first');
is($wo->{stats}{worstRoute}, 'Route 1', 'the worst route (by its short name)');
like($wo->{narrative}, qr/^Route 1 suffers most in snow: on time 92\.0 % of the time on clear days and 72\.0 % on snowy days, 20\.0 points lower\.$/,
     'its reading, from the numbers');
my $tt = $w->{temperature_threshold};
is_deeply($tt->{stats}, { aboveThreshold => 88.1, belowThreshold => 72.3, performanceDrop => 15.8,
                          daysAbove => 4, daysBelow => 4 }, 'the -20 degree threshold');
is_deeply([ map { "$_->{bucket}:$_->{avg_pct}:$_->{count}" } @{ $tt->{buckets} } ],
          [ '-25:72.3:8', '-15:89.5:2', '-10:88:4', '-5:87:2' ], '5-degree buckets');
my $im = $w->{impact_matrix};
is_deeply($im->{stats}, { worstCondition => 'Cloudy', avgPerformance => 61, dayCount => 1,
                          avgTemperature => -25 }, 'the worst condition');
is(scalar @{ $im->{cells} }, 8, 'route x condition cells');
like($im->{narrative}, qr/hardest weather so far is Cloudy/, 'the matrix reading');
ok(!$w->{bunching}{has_data}, 'no bunching linked yet');
like($w->{bunching}{narrative}, qr/No bunching incident/, 'said plainly');
like($w->{key_takeaway}, qr/Cloudy.*Below -20 .C/, 'the key takeaway');
unlike($t->get('/api/dashboard/weather')->{content}, qr/<[a-z]/i, 'no markup anywhere: plain text');

# the readings by an OpenAI-compatible API: sent the key, cached 24 h by a
# hash of the numbers; a failing API leaves the numbers' own readings
my %ai = (MTW_OPENAI_API_KEY => 'sk-test-4d7f1c', MTW_OPENAI_BASE_URL => "$base/openai/v1");
my $own = $w->{winter_operations}{narrative};
($rc, $out, $err) = $t->worker({ %env, %ai }, 'weather', '--city', 'tiny');
is($rc, 0, 'weather with an API key') or diag($err);
$w = decode_json($t->get('/api/dashboard/weather')->{content});
is($w->{winter_operations}{narrative}, 'Snow costs Route 1 twenty points.', "the API's reading, trimmed");
is($w->{impact_matrix}{narrative}, 'Snow costs Route 1 twenty points.', 'for every section');
my @keys = grep { /^mtw:tiny:insight:[0-9a-f]{16}$/ } @{ $t->redis_cmd('KEYS', 'mtw:tiny:insight:*') };
is(scalar @keys, 4, 'four readings cached');
my $ttl = $t->redis_cmd('TTL', $keys[0]);
ok($ttl > 86000 && $ttl <= 86400, "for 24 hours (TTL $ttl)");
my $calls = () = MTW::Test::slurp("$dir/nginx/logs/access.log") =~ m{POST /openai/v1/chat/completions}g;
is($calls, 4, 'four calls');
($rc, $out, $err) = $t->worker({ %env, %ai }, 'weather', '--city', 'tiny');
is($rc, 0, 'again, numbers unchanged');
my $calls2 = () = MTW::Test::slurp("$dir/nginx/logs/access.log") =~ m{POST /openai/v1/chat/completions}g;
is($calls2, 4, 'no new call: the cache answered');
$t->redis_cmd('DEL', @keys);
for my $case ([ 'an API that fails', { MTW_OPENAI_BASE_URL => "$base/openai-down/v1" }, qr/HTTP status 500/ ],
              [ 'a wrong key', { MTW_OPENAI_API_KEY => 'sk-wrong-key-77' }, qr/HTTP status 401/ ],
              [ 'no network', { MTW_OPENAI_BASE_URL => 'http://127.0.0.1:' . MTW::Test::free_port() . '/v1' },
                qr/Couldn't connect|Connection refused|connect/i ]) {
    my ($what, $e, $why) = @$case;
    ($rc, $out, $err) = $t->worker({ %env, %ai, %$e }, 'weather', '--city', 'tiny');
    is($rc, 0, "$what: the job still succeeds");
    like($err, qr/the API's reading failed \(.*\): the numbers' own reading is shown/, "$what: says so");
    like($err, $why, "$what: and why");
    $w = decode_json($t->get('/api/dashboard/weather')->{content});
    is($w->{winter_operations}{narrative}, $own, "$what: the numbers' own reading");
}
my @leak = grep { my $x = MTW::Test::slurp($_); $x =~ /sk-test-4d7f1c|sk-wrong-key-77/ }
           (glob("$dir/cmd-*"), glob("$dir/nginx/logs/*"));
is("@leak", '', 'the API key is in no output or log');

# failures change nothing: the network, then an answer that is not JSON
my $etag = $t->get('/api/dashboard/weather')->{headers}{etag};
my $closed = MTW::Test::free_port();
($rc, $out, $err) = $t->worker({ %env, MTW_WEATHER_URL => "http://127.0.0.1:$closed/v1/forecast" },
                               'weather', '--city', 'tiny');
isnt($rc, 0, 'no network: fails');
like($err, qr/weather: tiny: .*127\.0\.0\.1:$closed.*\(the next run tries again\)/, '... saying why');
($rc, $out, $err) = $t->worker({ %env, MTW_WEATHER_URL => "$base/broken/forecast" },
                               'weather', '--city', 'tiny');
isnt($rc, 0, 'an HTML answer: fails');
like($err, qr/not JSON/, '... saying why');
is($t->get('/api/dashboard/weather')->{headers}{etag}, $etag, 'the documents are unchanged');
is($t->psql(q{SELECT count(*) FROM weather_observation}), 25, 'no row added or lost');

# the run loop starts the job by itself (a child process, at once)
$t->redis_cmd('DEL', 'mtw:tiny:doc:weather', 'mtw:tiny:doc:weather:current');
$t->start_worker('run', { %env, MTW_WEATHER_SEC => 3600, MTW_CITY => 'tiny', MTW_POLL_MS => 200 }, 'run');
MTW::Test::wait_for('the weather job of run', 20, sub { $t->get('/api/weather/current')->{status} == 200 });
like($t->worker_log('run'), qr/weather tiny: started \(pid \d+\)/, 'run started it as a chore');
MTW::Test::wait_for('its end logged', 10, sub { $t->worker_log('run') =~ /weather tiny: done/ });
pass('and logged its end');
my ($rc_run) = $t->stop_worker('run');
is($rc_run, 0, 'run stops cleanly');

$t->done;
