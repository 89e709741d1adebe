# Bad input of every class gets its 4xx JSON error, is checked before any
# Redis key is built, and changes nothing in Redis.
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
        location /strict/api/ {
            rewrite ^/strict(/api/.*)$ $1 break;
            mtw_api;
            mtw_city saskatoon;
            mtw_feedback_rate 3;
        }
        location /api/ {
            mtw_api;
            mtw_city saskatoon;
            mtw_cors_origins https://mind-the-wait.ca capacitor://localhost;
            mtw_openapi %%ROOT%%/docs/openapi.json;
        }
    }
CONF

my $keys_before = $t->redis_cmd('DBSIZE');
$t->redis_cmd('CONFIG', 'SET', 'notify-keyspace-events', '');
my $cmds_before = stat_cmds();

sub stat_cmds {
    my $info = $t->redis_cmd('INFO', 'commandstats');
    my $n = 0;
    $n += $1 while $info =~ /calls=(\d+)/g;
    return $n;
}

my $long = 'x' x 65;
my @bad = (
    # path ids
    [ "/api/v1/routes/$long", 400, 'invalid_id' ],
    [ '/api/v1/routes/a%20b', 400, 'invalid_id' ],
    [ '/api/v1/routes/a%2Fb', 404, 'not_found' ],   # decoded: another path
    [ '/api/stops/%C3%A9/predictions', 400, 'invalid_id' ],
    [ '/api/vehicle-feedback/a*b', 400, 'invalid_id' ],
    [ '/api/v1/live-activity/route/a%3Bb', 400, 'invalid_id' ],
    # city
    [ '/api/score?city=Saskatoon', 400, 'invalid_city' ],
    [ '/api/score?city=', 400, 'invalid_city' ],
    [ '/api/score?city=' . ('a' x 33), 400, 'invalid_city' ],
    [ '/api/score?city=mtw:x', 400, 'invalid_city' ],
    # numbers
    [ '/api/stops/3734/predictions?limit=abc', 400, 'invalid_parameter' ],
    [ '/api/stops/3734/predictions?limit=0', 400, 'invalid_parameter' ],
    [ '/api/stops/3734/predictions?limit=101', 400, 'invalid_parameter' ],
    [ '/api/stops/3734/predictions?limit=-1', 400, 'invalid_parameter' ],
    [ '/api/v1/stops/3734/predictions?limit=1.5', 400, 'invalid_parameter' ],
    [ '/api/stops/3734/nearby?radius=0', 400, 'invalid_parameter' ],
    [ '/api/stops/3734/nearby?radius=5001', 400, 'invalid_parameter' ],
    [ '/api/stops/3734/nearby?radius=1e3', 400, 'invalid_parameter' ],
    [ '/api/stops?lat=91&lon=0', 400, 'invalid_parameter' ],
    [ '/api/stops?lat=0&lon=-181', 400, 'invalid_parameter' ],
    [ '/api/stops?lat=north&lon=0', 400, 'invalid_parameter' ],
    [ '/api/stops?lat=nan&lon=0', 400, 'invalid_parameter' ],
    [ '/api/stops?lat=52.1&lon=-106.6&limit=1000', 400, 'invalid_parameter' ],
    # search text
    [ '/api/stops', 400, 'invalid_parameter' ],
    [ '/api/stops?lat=52.1', 400, 'invalid_parameter' ],
    [ '/api/stops?name=', 400, 'invalid_parameter' ],
    [ '/api/stops?name=' . ('a' x 65), 400, 'invalid_parameter' ],
    [ '/api/stops?name=a%0Ab', 400, 'invalid_parameter' ],
    [ '/api/stops?name=prim&limit=x', 400, 'invalid_parameter' ],
    # filters
    [ '/api/realtime?route_id=a%20b', 400, 'invalid_parameter' ],
    [ '/api/v1/stops?route_id=' . $long, 400, 'invalid_parameter' ],
    [ '/api/stops/3734/predictions?route=%27x', 400, 'invalid_parameter' ],
    [ '/api/v1/stops/3734/predictions?route_id=a%2Ab', 400, 'invalid_parameter' ],
    # paths and methods
    [ '/api/score/', 404, 'not_found' ],
    [ '/api/v1/routes/', 404, 'not_found' ],
    [ '/api/stops//predictions', 404, 'not_found' ],
    [ '/api/v2/routes', 404, 'not_found' ],
);

for my $b (@bad) {
    my ($path, $status, $code) = @$b;
    my $r = $t->get($path);
    is($r->{status}, $status, "$path: $status");
    my $doc = MTW::Test::json_of($r);
    is($doc && $doc->{error}{code}, $code, "$path: error code $code")
        or diag($r->{content});
    like($doc && $doc->{error}{message}, qr/\w/, "$path: a message");
}

$t->check_requests([
    { path => '/api/healthz?city=NOT_A_CITY', status => 200,
      json => { status => 'ok' } },
    { method => 'DELETE', path => '/api/score', status => 405,
      headers_like => { allow => 'GET, HEAD, OPTIONS' },
      json => { 'error.code' => 'method_not_allowed' } },
    { method => 'PUT', path => '/api/v1/routes/14514', status => 405 },
    { method => 'POST', path => '/api/score', body => '{}', status => 405 },
    { path => '/api/vehicle-feedback', status => 405,
      headers_like => { allow => 'POST, OPTIONS' } },
    { method => 'POST', path => '/api/vehicle-feedback/606', body => '{}', status => 405,
      headers_like => { allow => 'GET, HEAD, OPTIONS' } },
]);

is(stat_cmds() - $cmds_before, 1 + 0, 'none of that reached Redis (only INFO ran)')
    or diag(MTW::Test::slurp($t->dir . '/redis/redis.log'));

# feedback: every bad body class, nothing counted
my @votes = (
    [ 'not json', 400, 'invalid_payload' ],
    [ '"a string"', 400, 'invalid_payload' ],
    [ '42', 400, 'invalid_payload' ],
    [ '', 400, 'invalid_payload' ],
    [ '[]', 422, 'invalid_vehicle' ],
    [ '{}', 422, 'invalid_vehicle' ],
    [ '{"vehicleId":606,"vote":"late"}', 422, 'invalid_vehicle' ],
    [ '{"vehicleId":"   ","vote":"late"}', 422, 'invalid_vehicle' ],
    [ '{"vehicleId":"60 6","vote":"late"}', 422, 'invalid_vehicle' ],
    [ '{"vehicleId":"' . $long . '","vote":"late"}', 422, 'invalid_vehicle' ],
    [ '{"vehicleId":"606"}', 422, 'invalid_vote' ],
    [ '{"vehicleId":"606","vote":"LATE"}', 422, 'invalid_vote' ],
    [ '{"vehicleId":"606","vote":"early"}', 422, 'invalid_vote' ],
    [ '{"vehicleId":"606","vote":1}', 422, 'invalid_vote' ],
    [ '{"vehicleId":"999","vote":"late"}', 422, 'unknown_vehicle' ],
    [ '{"vehicleId":"606","vote":"late","pad":"' . ('x' x 1024) . '"}', 413,
      'payload_too_large' ],
);
for my $v (@votes) {
    my ($body, $status, $code) = @$v;
    my $r = $t->http('POST', '/api/vehicle-feedback', body => $body,
                     headers => { 'Content-Type' => 'application/json' });
    is($r->{status}, $status, "vote " . substr($body, 0, 40) . ": $status");
    my $doc = MTW::Test::json_of($r);
    is($doc && $doc->{error}{code}, $code, "... error code $code") or diag($r->{content});
}

# a chunked body over 1 KiB is refused too
{
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->nginx_port)
        or die;
    my $chunk = 'x' x 1500;
    print $s "POST /api/vehicle-feedback HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        . "Transfer-Encoding: chunked\r\n\r\n" . sprintf('%x', length $chunk)
        . "\r\n$chunk\r\n0\r\n\r\n";
    local $/;
    my $resp = <$s>;
    like($resp, qr{^HTTP/1\.1 413}, 'a chunked body over 1 KiB: 413');
    like($resp, qr/payload_too_large/, '... as JSON');
}

is($t->redis_cmd('EXISTS', 'mtw:saskatoon:feedback:606'), 0, 'no vote was counted');
is($t->redis_cmd('EXISTS', 'mtw:saskatoon:feedback:999'), 0, 'no key for an unknown vehicle');
is($t->redis_cmd('DBSIZE'), $keys_before, 'no key was created by bad input');

# the rate limit: 3 votes in the 60 s that follow a client's first vote on
# /strict, then 429 and nothing counted.  The window opens with the first
# vote, so no clock minute can split the burst: no check here depends on
# the time of day.  Twenty vehicles to vote on (one vote each per trip).
my $veh = $t->redis_cmd('HGET', 'mtw:saskatoon:vehicle', '707');
$t->redis_cmd('HSET', 'mtw:saskatoon:vehicle', "v$_", $veh) for 1 .. 20;
my @st;
for my $i (1 .. 5) {
    my $r = $t->http('POST', '/strict/api/vehicle-feedback',
                     body => qq({"vehicleId":"v$i","vote":"on_time"}));
    push @st, $r->{status};
    if ($r->{status} == 429) {
        like($r->{headers}{'retry-after'}, qr/^\d+$/, '429 has Retry-After');
        cmp_ok($r->{headers}{'retry-after'}, '<=', 60, '... within the minute');
        is(MTW::Test::json_of($r)->{error}{code}, 'too_many_requests', '... as JSON');
    }
}
is("@st", '200 200 200 429 429', 'mtw_feedback_rate 3: the 4th vote within 60 s is refused');
is(join(' ', map { $t->redis_cmd('HGET', "mtw:saskatoon:feedback:v$_", 'total') // 0 } 1 .. 5),
   '1 1 1 0 0', 'refused votes are not counted');
my $ttl = $t->redis_cmd('TTL', 'mtw:rl:feedback:127.0.0.1');
ok($ttl > 0 && $ttl <= 60, "the window closes 60 s after the first vote ($ttl s left)");

# the default is 10 in 60 s (a fresh window)
$t->redis_cmd('DEL', 'mtw:rl:feedback:127.0.0.1');
@st = ();
for my $i (1 .. 11) {
    push @st, $t->http('POST', '/api/vehicle-feedback',
                       body => qq({"vehicleId":"v@{[ $i + 9 ]}","vote":"ahead"}))->{status};
}
is("@st", join(' ', (200) x 10, 429), 'default mtw_feedback_rate: 10 votes in 60 s');

$t->done;
