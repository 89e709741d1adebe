# mtw_cache: a stored document is served from the worker's memory for the
# configured time (one Redis read per document per period), then read
# again; built answers and errors are never cached; a document stored
# without an ETag is cached too (its NULL ETag once reached memcpy: UBSan
# in the sanitizer lane).
#
# Two nginx configurations, each shown where it starts: a long period
# (60 s) for the checks that the cache answers, so no check depends on how
# fast this machine is; a short one (300 ms) for expiry, waited for.
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;

my $t = MTW::Test->new;
$t->start_redis;
MTW::ApiSeed::seed($t);

sub hmgets {
    my $info = $t->redis_cmd('INFO', 'commandstats');
    return $info =~ /cmdstat_hmget:calls=(\d+)/ ? $1 : 0;
}

# --- a long period: what the cache answers ----------------------------------
$t->start_nginx(<<'CONF');
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_cache 60s;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ {
            mtw_api;
            mtw_city saskatoon;
        }
    }
CONF

my $first = $t->get('/api/score');
is($first->{status}, 200, 'first read: 200');
my $calls = hmgets();
MTW::ApiSeed::put($t, 'score', '{"ts":2,"items":[]}');
my $r = $t->get('/api/score');
is($r->{content}, $first->{content}, 'within mtw_cache: the cached document');
is($r->{headers}{etag}, $first->{headers}{etag}, '... with its ETag');
is(hmgets(), $calls, '... without asking Redis');

# errors are not cached: a missing document shows up as soon as published
is($t->get('/api/weather/current')->{status}, 503, 'not published: 503');
MTW::ApiSeed::put($t, 'weather:current', '{"observed_at":1,"weather_condition":"snow",'
    . '"transit_impact":"none"}');
is($t->get('/api/weather/current')->{status}, 200, 'published: 200 at once');

# a document without an ETag field: served, cached, served from the cache
$t->redis_cmd('HSET', 'mtw:saskatoon:doc:overview', 'body', '{"ok":1}', 'ts', time);
$t->redis_cmd('HDEL', 'mtw:saskatoon:doc:overview', 'etag');
my @no_etag = map { $t->get('/api/dashboard/overview') } 1 .. 2;
is_deeply([ map { $_->{status} } @no_etag ], [ 200, 200 ],
          'a document without an ETag: served twice (the second from the cache)');
is($no_etag[1]{content}, '{"ok":1}', '... with its body');
$t->stop_nginx;

# --- a short period: expiry -----------------------------------------------------
$t->start_nginx(<<'CONF');
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_cache 300ms;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ {
            mtw_api;
            mtw_city saskatoon;
        }
    }
CONF
$t->get('/api/score');
$calls = hmgets();
MTW::ApiSeed::put($t, 'score', '{"ts":3,"items":[]}');
MTW::Test::wait_for('the new document after mtw_cache', 10,
    sub { $t->get('/api/score')->{content} eq '{"ts":3,"items":[]}' });
pass('after mtw_cache: the new document');
cmp_ok(hmgets(), '>', $calls, '... read from Redis');

$t->done;
