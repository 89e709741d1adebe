# mtw_cache: a stored document is kept in the nginx worker's memory and
# served from there while the worker process hears the announcements the
# mtw-worker PUBLISHes with every publish (channel mtw:published); each
# announcement drops what is kept, so no answer is older than the last
# publish plus the notification delay (measured and printed).  Without the
# subscription (not yet open, or lost) nothing is served from memory: every
# request reads Redis.  mtw_cache's period stays the longest an entry
# lives.  Built answers and errors are never cached; a document stored
# without an ETag is cached too (its NULL ETag once reached memcpy: UBSan
# in the sanitizer lane).
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(time);
use MTW::Test;
use MTW::ApiSeed;

my $t = MTW::Test->new;
$t->start_redis;
MTW::ApiSeed::seed($t);

sub hmgets {
    my $info = $t->redis_cmd('INFO', 'commandstats');
    return $info =~ /cmdstat_hmget:calls=(\d+)/ ? $1 : 0;
}
sub subscribers {
    my $r = $t->redis_cmd('PUBSUB', 'NUMSUB', 'mtw:published');
    return ref $r eq 'ARRAY' ? $r->[1] : 0;
}
# the worker's way: the document written, then the announcement
sub publish {
    my ($name, $body) = @_;
    MTW::ApiSeed::put($t, $name, $body);
    $t->redis_cmd('PUBLISH', 'mtw:published', 'saskatoon');
}

# --- a long period: the announcements decide ---------------------------------
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

# not subscribed yet: Redis is read (the first request opens the subscription)
my $first = $t->get('/api/score');
is($first->{status}, 200, 'first read: 200');
MTW::Test::wait_for('the subscription', 10, sub { $t->get('/api/score'); subscribers() == 1 });
pass('the nginx worker subscribed to mtw:published');
$t->get('/api/score');                  # kept from here
my $calls = hmgets();

# a change nobody announced is not seen: the answer comes from memory
MTW::ApiSeed::put($t, 'score', '{"ts":2,"items":[]}');
my $r = $t->get('/api/score');
is($r->{content}, $first->{content}, 'subscribed: the kept document');
is($r->{headers}{etag}, $first->{headers}{etag}, '... with its ETag');
is(hmgets(), $calls, '... without asking Redis');

# an announced publish: the new document, after the notification delay
my $t0 = time;
publish('score', '{"ts":3,"items":[]}');
my $stale = 0;
MTW::Test::wait_for('the published document', 5, sub {
    my $x = $t->get('/api/score');
    $stale++ if $x->{content} ne '{"ts":3,"items":[]}';
    $x->{content} eq '{"ts":3,"items":[]}';
});
diag(sprintf('mtw_cache: the new document %.1f ms after the publish (%d older answer(s) meanwhile)',
             (time - $t0) * 1000, $stale));
is($t->get('/api/score')->{headers}{etag}, MTW::ApiSeed::etag('{"ts":3,"items":[]}'),
   'after a publish: the new ETag');
my $etag = $t->get('/api/score')->{headers}{etag};
is($t->get('/api/score', headers => { 'If-None-Match' => $etag })->{status}, 304,
   'a kept document still answers 304');

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

# the subscription lost: nothing old is served, every request reads Redis
$t->redis_cmd('CLIENT', 'KILL', 'TYPE', 'pubsub');
MTW::Test::wait_for('nginx notices', 10, sub { $t->error_log =~ /lost the subscription connection/ });
MTW::ApiSeed::put($t, 'score', '{"ts":4,"items":[]}');           # not announced
is($t->get('/api/score')->{content}, '{"ts":4,"items":[]}',
   'subscription lost: the document from Redis, never the kept one');
MTW::Test::wait_for('subscribed again', 10, sub { $t->get('/api/score'); subscribers() == 1 });
pass('the subscription comes back by itself');
$t->stop_nginx;

# --- a short period: the longest an entry lives ------------------------------
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
MTW::Test::wait_for('the subscription', 10, sub { $t->get('/api/score'); subscribers() == 1 });
$t->get('/api/score');
$calls = hmgets();
MTW::ApiSeed::put($t, 'score', '{"ts":5,"items":[]}');           # not announced
MTW::Test::wait_for('the new document after mtw_cache', 10,
    sub { $t->get('/api/score')->{content} eq '{"ts":5,"items":[]}' });
pass('after mtw_cache: the new document, even unannounced');
cmp_ok(hmgets(), '>', $calls, '... read from Redis');

$t->done;
