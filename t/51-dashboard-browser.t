# The dashboard's pages rendered by a real browser (headless Chromium,
# which `make deps` installs) against real nginx + the module + seeded
# Redis: each page's scripts
# run without an uncaught error and put the API's data on the page (the
# rendered DOM is checked), errors (404, 503) become readable messages,
# and a timetable-only arrival is labelled "Scheduled".
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;

my ($chromium) = grep { -x } map { ("$_/chromium", "$_/chromium-browser") }
                 split /:/, $ENV{PATH} // '';
die "headless Chromium is not installed: run make deps (scripts/deps.sh installs chromium)\n"
    unless $chromium;
# the browser only reads what nginx serves: t/50 puts the sanitizer builds
# under the same requests, so the sanitizer lane spares the two cores this
plan skip_all => 'sanitizer lane: the browser run is in the plain lane only'
    if $ENV{MTW_SANITIZE};
plan skip_all => 'html/vendor/ missing: run make dashboard'
    unless -s MTW::Test->root . '/html/vendor/chart.umd.min.js';

my $t = MTW::Test->new;
$t->start_redis;
MTW::ApiSeed::seed($t);
my $now = time;
# a stop with one live and one timetable-only arrival
MTW::ApiSeed::put($t, 'predictions:4000', MTW::ApiSeed::enc({
    stop_id => '4000', stop_name => '19th Street / 2nd Avenue', predictions => [
        { %{ MTW::ApiSeed::prediction('12345', '14514', '14', 240) },
          stop_id => '4000', source => 'realtime', arrival_at => $now + 240,
          occupancy => 'STANDING_ROOM_ONLY' },
        { %{ MTW::ApiSeed::prediction('77777', '14520', '20', 1200) },
          stop_id => '4000', source => 'scheduled', confidence => 'low',
          arrival_at => $now + 1200, current_location => undef } ] }));
# route shapes for the map: route 14514 in two directions
MTW::ApiSeed::put($t, 'shapes', MTW::ApiSeed::enc({ tolerance_m => 5, timestamp => $now, routes => [
    { route_id => '14514', short_name => '14', color => '1E88E5', shapes => [
        { shape_id => 's14a', direction => 0, points => [ [52.1251, -106.6701], [52.1300, -106.6600], [52.1350, -106.6550] ] },
        { shape_id => 's14b', direction => 1, points => [ [52.1350, -106.6550], [52.1251, -106.6701] ] } ] } ] }));
# service alerts: one on route 14514 (its text is not HTML, its link not a
# script), one for the whole network, one that ended
$t->redis_cmd('HSET', 'mtw:saskatoon:rt:alerts', 'ts', $now, 'stale', 0, 'json',
    MTW::ApiSeed::enc({ ts => $now, alerts => [
        { id => 'd1', effect => 'DETOUR', severity => 'WARNING', header => 'Route 14 detour',
          description => '<b>Detour</b> via 8th Street', url => 'javascript:alert(1)',
          active => [ { start => $now - 600, end => undef } ],
          informed => [ { route_id => '14514' } ] },
        { id => 'n1', effect => 'REDUCED_SERVICE', header => 'Holiday schedule today',
          url => 'https://transit.example/holiday', active => [], informed => [ { agency_id => 'ST' } ] },
        { id => 'old', effect => 'DETOUR', header => 'Old detour',
          active => [ { start => $now - 7200, end => $now - 3600 } ],
          informed => [ { route_id => '14514' } ] } ] }));
$t->start_nginx(<<'CONF');
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_timeout 500ms;
    mtw_redis_connect_timeout 500ms;
    include /etc/nginx/mime.types;
    gzip on;
    gzip_min_length 100;
    gzip_types application/json;
    server {
        listen 127.0.0.1:%%PORT%%;
        location / { root %%ROOT%%/html; index index.html; }
        location = /api/doc { root %%ROOT%%/html; try_files /api-doc.html =404; }
        location = /config.json { alias %%DIR%%/config.json; }
        location /tiles/ { return 204; }
        location /api/ {
            mtw_api;
            mtw_city saskatoon;
            mtw_cors_origins https://mind-the-wait.ca capacitor://localhost;
            mtw_openapi %%ROOT%%/docs/openapi.json;
        }
    }
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port;
my $profile = $t->dir . '/chromium';
# map tiles configured (from this server: the test asks nothing of the internet)
MTW::Test::spew($t->dir . '/config.json', qq({"tile_url":"$base/tiles/{z}/{x}/{y}.png","tile_attribution":"Test tiles"}));

# render PATH -> (DOM after the scripts ran, console lines)
sub render {
    my ($path) = @_;
    my ($rc, $out, $err) = $t->run_cmd({ HOME => $t->dir }, 'timeout', '60', $chromium,
        '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run',
        "--user-data-dir=$profile", '--enable-logging=stderr', '--v=0',
        '--virtual-time-budget=3000', '--window-size=390,1200', '--dump-dom', "$base$path");
    my @console = grep { /:CONSOLE/ } split /\n/, $err // '';
    return ($out // '', \@console, $rc);
}

my @cases = (
    [ '/' => [ qr{id="c-grade"><span class="pill pill-good"[^>]*>B</span>}, qr{83\.4%},
               qr{Weather data not available yet}, qr{Data checked},
               qr{Service alerts \(2\)}, qr{&lt;b&gt;Detour&lt;/b&gt; via 8th Street},
               qr{<p id="insight" class="insight" aria-live="polite">42 buses are running\. Route 14 needs attention most\.</p>},
               qr{<a href="https://transit\.example/holiday" rel="noopener noreferrer">details</a>},
               qr{^(?!.*href="javascript)}s, qr{^(?!.*Old detour)}s ] ],
    [ '/routes.html' => [ qr{Showing 40 of 40 routes}, qr{Route 49 Line} ] ],
    [ '/routes.html?search=Route%2014&sort=grade' => [ qr{Showing 1 of 40 routes},
               qr{href="route\.html\?id=14514"} ] ],
    [ '/route.html?id=14514' => [ qr{Route 14 Line}, qr{84\.3%}, qr{Under-scheduled},
               qr{Service alerts \(2\)}, qr{Route 14 detour},
               qr{No daily history|Daily on-time} ] ],
    [ '/route.html?id=99999' => [ qr{class="msg msg-error"[^>]*><p>Not found: route not found} ] ],
    [ '/live.html?id=14514' => [ qr{Live tracking}, qr{<dd>2</dd>},
               qr{No vehicles of this route are reporting right now}, qr{7 min – 10 min},
               qr{<g id="lm-shape"><polyline points="[\d., ]+" class="shape-line route-line" stroke="[^"]+"><title>The route's line</title>},
               qr{<figcaption id="lm-caption">The route's line from the feed's shapes, 2 stops, 0 vehicles placed\.</figcaption>} ] ],
    [ '/stops.html?stop=3734' => [ qr{Arrivals at Primrose / Lenore \(stop 3734\)},
               qr{Live · high confidence} ] ],
    [ '/stops.html?stop=4000' => [ qr{Arrivals at 19th Street / 2nd Avenue},
               qr{Service alerts \(1\)}, qr{Holiday schedule today},
               qr{<span class="crowd crowd-warn"[^>]*>.*?Standing room only</span>},
               qr{<span class="chip chip-sched">Scheduled</span>}, qr{Live · high confidence} ] ],
    [ '/weather.html' => [ qr{Weather impact analysis is not available yet} ] ],
    [ '/map.html' => [ qr{4 stops · 3 vehicles}, qr{<title>Vehicle 606, route 14: Late},
               qr{<g id="m-tiles"><image href="http://127\.0\.0\.1:\d+/tiles/1\d/\d+/\d+\.png" x="-?[\d.]+" y="-?[\d.]+" width="[\d.]+"},
               qr{<small class="attribution"> Map: Test tiles</small>},
               qr{<g id="m-shapes"><polyline points="[\d., ]+" class="shape-line" stroke="[^"]+"><title>Route 14</title></polyline><polyline}] ],
    [ '/api/doc' => [ qr{<h1 class="title">Mind The Wait API}, qr{data-path="/api/v1/alerts"}, qr{data-path="/api/v1/routes/\{routeId\}/shape"} ] ],
    [ '/map.html?route=14514' => [ qr{<g id="m-route"><polyline [^>]*><title>Route 14 \(its shape, direction 0\)</title>} ] ],
);
# A page's data arrives over several requests; on a loaded machine the
# virtual time budget can end before the last one lands.  A page is
# rendered again (three times at most) until it shows its expected state;
# the assertions are on the last rendering.
sub settled {
    my ($path, $want) = @_;
    my @r;
    for my $try (1 .. 3) {
        @r = render($path);
        last if !grep { $r[0] !~ $_ } @$want;
        diag("$path: rendered again (try $try did not show everything yet)");
    }
    return @r;
}
for my $c (@cases) {
    my ($path, $want) = @$c;
    my ($dom, $console, $rc) = settled($path, $want);
    is($rc, 0, "$path: the browser rendered it");
    like($dom, $_, "$path: shows $_") for @$want;
    my @bad = grep { /Uncaught|Error/ } @$console;
    ok(!@bad, "$path: no script error in the console") or diag(join "\n", @bad);
}

$t->done;
