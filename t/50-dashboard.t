# The dashboard served by real nginx next to the module, over seeded Redis
# documents: every page and every asset it references answers 200 with the
# right Content-Type (and gzip for the big ones), every API path the
# scripts call is in docs/openapi.json and answers the seeded city the way
# the pages expect (200 JSON, 304 on If-None-Match with the strong or the
# gzip-weakened ETag, 404 and 503 as JSON errors with Retry-After), and the
# bytes a first visit costs.  The scripts' logic: scripts/check-dashboard.sh.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Time::HiRes ();
use MTW::Test;
use MTW::ApiSeed;

my $root = MTW::Test->root;
my $html = "$root/html";
ok(-s "$html/vendor/chart.umd.min.js",
   'the chart library is in html/vendor/ (make dashboard)')
    or BAIL_OUT('html/vendor/chart.umd.min.js missing: run make dashboard');

my $t = MTW::Test->new;
$t->start_redis;
MTW::ApiSeed::seed($t);
$t->start_nginx(<<'CONF');
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_timeout 500ms;
    mtw_redis_connect_timeout 500ms;
    include /etc/nginx/mime.types;
    gzip on;
    gzip_min_length 100;
    gzip_types application/json text/css application/javascript image/svg+xml;
    server {
        listen 127.0.0.1:%%PORT%%;
        location / { root %%ROOT%%/html; index index.html; }
        location /api/ {
            mtw_api;
            mtw_city saskatoon;
            mtw_cors_origins https://mind-the-wait.ca capacitor://localhost;
            mtw_openapi %%ROOT%%/docs/openapi.json;
        }
    }
CONF

my %TYPE = (html => qr{^text/html}, css => qr{^text/css},
            js => qr{^application/javascript}, svg => qr{^image/svg\+xml});

opendir(my $dh, $html) or die "$html: $!";
my @pages = sort grep { /\.html$/ } readdir $dh;
closedir $dh;
ok(@pages >= 7, 'seven pages or more: ' . join(' ', @pages));

# --- pages and their assets -----------------------------------------------------
my %asset;
for my $p ('', @pages) {
    my $r = $t->get("/$p");
    is($r->{status}, 200, "/$p: 200");
    like($r->{headers}{'content-type'}, $TYPE{html}, "/$p: text/html");
    like($r->{content}, qr{<title>[^<]+</title>}, "/$p: has a title");
    for my $ref ($r->{content} =~ /\s(?:src|href)="([^"]+)"/g) {
        next if $ref =~ m{^(?:https?:|mailto:|#|/api/)};
        (my $file = $ref) =~ s/[?#].*//;
        next if $file =~ /\.html$/ && $file ne $ref;     # page links with a query
        $asset{$file}{$p || 'index.html'} = 1;
    }
}
ok(keys %asset >= 10, 'pages reference their assets: ' . join(' ', sort keys %asset));
for my $a (sort keys %asset) {
    my ($ext) = $a =~ /\.(\w+)$/;
    my $r = $t->get("/$a");
    is($r->{status}, 200, "/$a: 200 (from " . join(',', sort keys %{ $asset{$a} }) . ')');
    like($r->{headers}{'content-type'} // '', $TYPE{$ext} // qr/./, "/$a: content type");
}
my $gz = $t->get('/vendor/chart.umd.min.js', headers => { 'Accept-Encoding' => 'gzip' });
is($gz->{headers}{'content-encoding'}, 'gzip', 'the chart library is sent gzipped');

# --- API paths the scripts call --------------------------------------------------
my $spec = decode_json(MTW::Test::slurp("$root/docs/openapi.json"));
my %called;
for my $f (glob "$html/js/*.js") {
    my $src = MTW::Test::slurp($f);
    $called{$_} = 1 for $src =~ m{'(/api/[^'?]*)}g;
}
ok(keys %called >= 10, 'the scripts call ' . scalar(keys %called) . ' API paths');
for my $p (sort keys %called) {
    ok($spec->{paths}{$p} && $spec->{paths}{$p}{get}, "$p is a GET of docs/openapi.json");
}

# each called path with the seeded ids: what the page gets
my %ids = (routeId => '14514', stopId => '3734');
my %expect = ('/api/dashboard/weather' => 503, '/api/weather/current' => 503);
my %query = ('/api/stops' => '?name=primrose&limit=20', '/api/realtime' => '?route_id=14514',
             '/api/stops/{stopId}/predictions' => '?limit=10', '/api/v1/stops' => '?route_id=14514');
for my $p (sort keys %called) {
    (my $path = $p) =~ s/\{(\w+)\}/$ids{$1}/g;
    $path .= $query{$p} // '';
    my $want = $expect{$p} // 200;
    my $r = $t->get($path);
    is($r->{status}, $want, "$path: $want");
    like($r->{headers}{'content-type'}, qr{^application/json}, "$path: JSON");
    my $doc = MTW::Test::json_of($r);
    ok(defined $doc, "$path: body parses");
    if ($want == 503) {
        is($doc->{error}{code}, 'not_published', "$path: not_published (the page says 'not available yet')");
        like($r->{headers}{'retry-after'} // '', qr/^\d+$/, "$path: Retry-After for the poller");
        next;
    }
    my $etag = $r->{headers}{etag};
    like($etag // '', qr/^"[0-9a-f]{16}"$/, "$path: ETag");
    is($t->get($path, headers => { 'If-None-Match' => $etag })->{status}, 304,
       "$path: 304 on If-None-Match");
    # through gzip nginx weakens the tag; the poller sends back what it got
    my $g = $t->get($path, headers => { 'Accept-Encoding' => 'gzip' });
    my $weak = $g->{headers}{etag} // '';
    is($t->get($path, headers => { 'Accept-Encoding' => 'gzip',
                                  'If-None-Match' => $weak })->{status}, 304,
       "$path: 304 on the tag received with gzip ($weak)");
}

# what the pages read from the seeded documents
my $ov = MTW::Test::json_of($t->get('/api/dashboard/overview'));
is($ov->{system_grade}, 'B', 'overview: the system grade the page shows');
my $routes = MTW::Test::json_of($t->get('/api/dashboard/routes'));
ok(@{ $routes->{routes} } == 40 && defined $routes->{routes}[0]{on_time_pct},
   'routes: 40 rows with on_time_pct to sort on');
my $preds = MTW::Test::json_of($t->get('/api/stops/3734/predictions?limit=10'));
ok(@{ $preds->{predictions} } >= 1 && $preds->{predictions}[0]{arrival_at},
   'stop predictions: arrival_at for the ETAs');

# errors the pages turn into messages
for my $c (['/api/dashboard/routes/99999', 404, 'not_found'],
           ['/api/dashboard/routes/99999/live', 404, 'not_found'],
           ['/api/dashboard/overview?city=nowhere', 404, 'unknown_city']) {
    my $r = $t->get($c->[0]);
    is($r->{status}, $c->[1], "$c->[0]: $c->[1]");
    is(MTW::Test::json_of($r)->{error}{code}, $c->[2], "$c->[0]: error code $c->[2] for the message");
}

# --- a first visit: bytes and wall time (figures, not assertions) ----------------
for my $p (@pages) {
    my $t0 = Time::HiRes::time();
    my $r = $t->get("/$p", headers => { 'Accept-Encoding' => 'gzip' });
    my $bytes = length $r->{content};
    for my $a (sort grep { $asset{$_}{$p} } keys %asset) {
        $bytes += length $t->get("/$a", headers => { 'Accept-Encoding' => 'gzip' })->{content};
    }
    diag(sprintf('%-13s first visit: %6.1f KB over the wire, %5.1f ms (loopback)',
                 $p, $bytes / 1024, (Time::HiRes::time() - $t0) * 1000));
    # Swagger UI (/api/doc, for developers) is one 450 KB bundle: its figure
    # is printed, the dashboard's budget is not its
    next if $p eq 'api-doc.html';
    cmp_ok($bytes, '<', 200 * 1024, "$p: a first visit is under 200 KB compressed");
}

$t->done;
