# mtw_cache: a stored document is served from the worker's memory for the
# configured time (one Redis read per document per period), then read
# again; built answers and errors are never cached.
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;
use Time::HiRes qw(time sleep);

my $t = MTW::Test->new;
$t->start_redis;
MTW::ApiSeed::seed($t);
$t->start_nginx(MTW::ApiSeed::nginx_http(main => 'mtw_cache 1s;'));

sub hmgets {
    my $info = $t->redis_cmd('INFO', 'commandstats');
    return $info =~ /cmdstat_hmget:calls=(\d+)/ ? $1 : 0;
}

my $first = $t->get('/api/score');
is($first->{status}, 200, 'first read: 200');
my $t0 = time;
my $calls = hmgets();
MTW::ApiSeed::put($t, 'score', '{"ts":2,"items":[]}');
my $r = $t->get('/api/score');
if (time - $t0 < 0.9) {
    is($r->{content}, $first->{content}, 'within mtw_cache: the cached document');
    is($r->{headers}{etag}, $first->{headers}{etag}, '... with its ETag');
    is(hmgets(), $calls, '... without asking Redis');
}
sleep 1.1;
$r = $t->get('/api/score');
is($r->{content}, '{"ts":2,"items":[]}', 'after mtw_cache: the new document');
cmp_ok(hmgets(), '>', $calls, '... read from Redis');

# errors are not cached: a missing document shows up as soon as published
is($t->get('/api/weather/current')->{status}, 503, 'not published: 503');
MTW::ApiSeed::put($t, 'weather:current', '{"observed_at":1,"weather_condition":"snow",'
    . '"transit_impact":"none"}');
is($t->get('/api/weather/current')->{status}, 200, 'published: 200 at once');

$t->done;
