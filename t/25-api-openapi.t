# docs/openapi.json, served at /api/doc.json, describes exactly the
# endpoints of the module's routing table, and each documented operation,
# called with its examples, answers a documented status with the
# documented required fields.
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;
use JSON::PP;

my $t = MTW::Test->new;
my $root = $t->root;
my $file = MTW::Test::slurp("$root/docs/openapi.json");
my $api = JSON::PP->new->utf8->decode($file);
like($api->{openapi}, qr/^3\.0\./, 'an OpenAPI 3 document');

# the routing table of ngx_http_mtw_routes.c
my $src = MTW::Test::slurp("$root/ngx_mtw_module/ngx_http_mtw_routes.c");
my %table;
while ($src =~ /\bR\("([^"]*)",\s*"([^"]*)",\s*([\w|]+),\s*NGX_HTTP_MTW_(GET|POST)/g) {
    my ($prefix, $suffix, $flags, $method) = ($1, $2, $3, $4);
    my $id = grep { $_ eq 'ID' } split /\|/, $flags;
    $table{ lc($method) . ' ' . $prefix . ($id ? '{}' : '') . $suffix } = 1;
}
cmp_ok(scalar keys %table, '>=', 23, 'the routing table has the endpoints');

my %doc;
for my $path (keys %{ $api->{paths} }) {
    (my $norm = $path) =~ s/\{[^}]+\}/{}/g;
    $doc{"$_ $norm"} = 1 for grep { /^(get|post)$/ } keys %{ $api->{paths}{$path} };
}
for my $op (sort keys %table) {
    ok($doc{$op}, "documented: $op");
}
for my $op (sort keys %doc) {
    ok($table{$op}, "implemented: $op");
}

# served as it is
$t->start_redis;
MTW::ApiSeed::seed($t);
MTW::ApiSeed::put($t, 'weather:current', '{"observed_at":1760940000,'
    . '"temperature_celsius":-3.2,"weather_condition":"cloudy","transit_impact":"minor"}');
MTW::ApiSeed::put($t, 'weather', '{"current":{"observed_at":1760940000,'
    . '"weather_condition":"snow","transit_impact":"minor"},"winter_operations":{"routes":[],'
    . '"stats":null,"narrative":"Not enough history yet."},"temperature_threshold":{"buckets":[],'
    . '"stats":{},"narrative":"-"},"impact_matrix":{"cells":[],"stats":null,"narrative":"-"},'
    . '"bunching":{"has_data":false,"rates":[],"narrative":"-"},"key_takeaway":"-","timestamp":1}');
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
my $r = $t->get('/api/doc.json');
is($r->{status}, 200, '/api/doc.json: 200');
ok($r->{content} eq $file, '/api/doc.json is docs/openapi.json byte for byte');
like($r->{headers}{etag} // '', qr/^"[0-9a-f]{16}"$/, '... with an ETag');

sub resolve {
    my ($s) = @_;
    while ($s && $s->{'$ref'}) {
        my ($name) = $s->{'$ref'} =~ m{/([^/]+)$};
        $s = $api->{components}{schemas}{$name};
    }
    return $s;
}

for my $path (sort keys %{ $api->{paths} }) {
    for my $method (grep { /^(get|post)$/ } keys %{ $api->{paths}{$path} }) {
        my $op = $api->{paths}{$path}{$method};
        my $url = $path;
        my @query;
        for my $p (@{ $op->{parameters} || [] }) {
            if ($p->{in} eq 'path') {
                $url =~ s/\{\Q$p->{name}\E\}/$p->{example}/;
            }
        }
        # a search needs its text: the documented example of name
        if ($path eq '/api/stops') {
            push @query, 'name=prim';
        }
        $url .= '?' . join('&', @query) if @query;
        my %opt;
        if ($method eq 'post') {
            my $ex = $op->{requestBody}{content}{'application/json'}{example};
            $opt{body} = encode_json($ex);
        }
        my $res = $t->http(uc $method, $url, %opt);
        ok(exists $op->{responses}{ $res->{status} },
           "$method $url: status $res->{status} is documented")
            or diag($res->{content});
        next unless $res->{status} == 200;
        my $schema = resolve($op->{responses}{200}{content}{'application/json'}{schema});
        my $body = MTW::Test::json_of($res);
        if (($schema->{type} // '') eq 'array') {
            ok(ref $body eq 'ARRAY' && @$body, "$method $url: a non-empty array");
            $schema = resolve($schema->{items});
            $body = $body->[0];
        }
        for my $k (@{ $schema->{required} || [] }) {
            ok(ref $body eq 'HASH' && exists $body->{$k}, "$method $url: has $k");
        }
    }
}

$t->done;
