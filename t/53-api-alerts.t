# /api/v1/alerts: the alerts in force for riders, judged at the request
# (an alert starts and ends on time between two polls of the feed), with the
# routes and stops they name; ?route_id= / ?stop_id= keep the alerts naming
# them and the network-wide ones.  Planted: the worker's rt:alerts hash.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use MTW::Test;
use MTW::ApiSeed;

my $t = MTW::Test->new;
$t->start_redis;
MTW::ApiSeed::seed($t);
$t->start_nginx(<<'CONF');
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ { mtw_api; mtw_city saskatoon; }
    }
CONF

my $now = time;
my $key = 'mtw:saskatoon:rt:alerts';
sub alert {
    my ($id, $active, @informed) = @_;
    return { id => $id, cause => 'CONSTRUCTION', effect => 'DETOUR', severity => 'WARNING',
             header => "header $id", description => "<b>not html</b> $id", url => undef,
             active => $active, informed => \@informed };
}
sub plant {
    my (@alerts) = @_;
    $t->redis_cmd('HSET', $key, 'ts', $now, 'stale', 0, 'age_sec', 3,
        'json', encode_json({ ts => $now, stale => 0, age_sec => 3, alerts => \@alerts }));
}
my $soon = $now + 3;
plant(
    alert('on-route', [ { start => $now - 60, end => $now + 3600 } ],
          { route_id => '14514' }, { route_id => '14514', stop_id => '3734' },
          { stop_id => '3734' }),
    alert('later', [ { start => $now + 3600, end => undef } ], { route_id => '14514' }),
    alert('ended', [ { start => undef, end => $now - 60 } ], { route_id => '14514' }),
    alert('network', [], { agency_id => 'ST' }),
    alert('other-route', [ { start => undef, end => undef } ], { route_id => '14515' }),
    alert('second-period', [ { start => $now - 7200, end => $now - 3600 },
                             { start => $now - 60, end => undef } ], { stop_id => '4001' }),
    alert('soon', [ { start => $soon, end => undef } ], { route_id => '14514' }),
);

sub ids {
    my ($path) = @_;
    my $r = $t->get($path);
    is($r->{status}, 200, "$path: 200") or diag($r->{content});
    my $d = decode_json($r->{content});
    return join(',', map { $_->{id} } @{ $d->{alerts} });
}

is(ids('/api/v1/alerts'), 'on-route,network,other-route,second-period',
   'in force: by active period, open bounds, no period; not later, not ended');
is(ids('/api/v1/alerts?route_id=14514'), 'on-route,network', 'a route: its alerts and the network\'s');
is(ids('/api/v1/alerts?stop_id=3734'), 'on-route,network', 'a stop: its alerts and the network\'s');
is(ids('/api/v1/alerts?route_id=14515'), 'network,other-route', 'another route');
is(ids('/api/v1/alerts?stop_id=4001'), 'network,second-period', 'the second period in force');
is(ids('/api/v1/alerts?route_id=14514&stop_id=4001'), 'network', 'both filters: both must hold');

my $d = decode_json($t->get('/api/v1/alerts?route_id=14514')->{content});
my ($a) = grep { $_->{id} eq 'on-route' } @{ $d->{alerts} };
is_deeply($a->{routes}, [ '14514' ], 'routes named once each');
is_deeply($a->{stops}, [ '3734' ], 'stops named once each');
is_deeply($a->{active_period}, { start => $now - 60, end => $now + 3600 }, 'the period in force');
is($a->{description}, '<b>not html</b> on-route', 'text kept as text (the page inserts it as text)');
is($a->{effect}, 'DETOUR', 'effect');
is($d->{ts}, $now, 'the feed time');
ok($d->{feed} && !$d->{stale}, 'feed present and fresh');
my ($n) = grep { $_->{id} eq 'network' } @{ $d->{alerts} };
is_deeply($n->{active_period}, { start => undef, end => undef }, 'no period: always in force');

# an alert whose period starts now appears without a new poll of the feed
MTW::Test::wait_for('the alert starting at its time', 10, sub {
    ids('/api/v1/alerts?route_id=14514') eq 'on-route,network,soon';
});
pass('an alert appears when its period starts, not at the next poll');

$t->check_requests([
    { path => '/api/v1/alerts?route_id=bad%20id', status => 400,
      json => { 'error.code' => 'invalid_parameter' } },
    { path => '/api/v1/alerts?stop_id=' . ('x' x 65), status => 400 },
    { path => '/api/v1/alerts', method => 'POST', status => 405 },
]);

# revalidation: the same answer is a 304
my $r = $t->get('/api/v1/alerts');
my $etag = $r->{headers}{etag};
like($etag, qr/^"[0-9a-f]{16}"$/, 'an ETag');
is($t->get('/api/v1/alerts', headers => { 'If-None-Match' => $etag })->{status}, 304,
   'unchanged: 304');

# no Alerts feed: an honest empty list
$t->redis_cmd('DEL', $key);
$t->check_requests([
    { path => '/api/v1/alerts', status => 200,
      json => { feed => JSON::PP::false, alerts => sub { ref $_[0] eq 'ARRAY' && !@{ $_[0] } } } },
]);

$t->done;
