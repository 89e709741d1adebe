#!/usr/bin/perl
# 38-score-fresh.t - the score document follows the snapshots it is built
# from, not only the clock: with MTW_SCORE_SEC at an hour, a new frame of
# the feed (the feed clock moves 24 s) is scored as soon as it is in, and
# the document is not rebuilt while nothing changes, and unchanged
# documents are not written again (but are after Redis lost them).  The feed-health
# document built with it finds every id of the demo feed in its schedule.
use strict;
use warnings;
use lib 't/lib';
use File::Path qw(make_path);
use JSON::PP;
use MTW::Test;
use Test::More;
use Time::HiRes qw(sleep);

my $t = MTW::Test->new;
my $dir = $t->dir;
my $zip = "$dir/demo.zip";
my $live = "$dir/live";
make_path($live);
my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
is($rc, 0, 'demo feed') or diag($err);
$t->start_postgres;
$t->start_redis;
($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'demo', '--quiet', $zip);
is($rc, 0, 'gtfs-load') or diag($err);
$t->start_nginx(<<"CONF");
server {
    listen 127.0.0.1:%%PORT%%;
    etag off;
    if_modified_since off;
    location /feeds/ { alias $live/; }
}
CONF
my $base = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';

sub frame {
    my ($hms) = @_;
    my ($rc_f, $json, $err_f) = $t->worker('simulate', '--gtfs', $zip, '--out', $live,
        '--once', '--date', '2025-07-02', '--clock', 'feed', '--start', $hms);
    die "simulate --once: $err_f" if $rc_f != 0;
    return decode_json($json)->{ts};
}
sub score {
    my %h = @{ $t->redis_cmd('HGETALL', 'mtw:demo:doc:score') || [] };
    return ($h{etag} // '', eval { decode_json($h{body} // '') } || {});
}

my $ts0 = frame('08:00:00');
$t->start_worker('run', { MTW_CITY => 'demo', MTW_CLOCK => 'feed',
    MTW_SERVICE_DATE => '2025-07-02', MTW_POLL_MS => 50, MTW_SCORE_SEC => 3600,
    MTW_LOG_LEVEL => 'debug', MTW_VEHICLES_URL => "$base/VehiclePositions.pb",
    MTW_TRIPS_URL => "$base/TripUpdates.pb", MTW_ALERTS_URL => "$base/Alerts.pb" }, 'run');
my ($etag, $doc);
MTW::Test::wait_for('the first score', 30, sub {
    ($etag, $doc) = score();
    return ($doc->{ts} // 0) == $ts0;
});
pass("scored at $ts0");

# nothing changes: ticks go on (the heartbeat's wall second moves twice),
# the document stays
my $hb0 = $t->redis_cmd('HGET', 'mtw:demo:heartbeat', 'ts') // 0;
MTW::Test::wait_for('more ticks', 10, sub {
    sleep 0.1;
    return ($t->redis_cmd('HGET', 'mtw:demo:heartbeat', 'ts') // 0) >= $hb0 + 2;
});
my ($etag_same) = score();
is($etag_same, $etag, 'the same frame: the same document');

# and the documents that did not change are not written again: every
# stop's predictions (nothing in them moves with the tick's clock)
sub pred_keys { scalar @{ $t->redis_cmd('KEYS', 'mtw:demo:doc:predictions:*') || [] } }
my $npred = pred_keys();
ok($npred > 10, "$npred stops with predictions");
MTW::Test::wait_for('a tick writing none of them', 10, sub {
    sleep 0.1;
    return grep { $_ >= $npred } $t->worker_log('run')
        =~ /scored demo: .* documents \(\d+ KiB\) written, (\d+) unchanged/g;
});
pass('a tick of the same frame leaves every predictions document unwritten');
# a Redis emptied on the same connection: the next ticks write them all
$t->redis_cmd('FLUSHALL');
MTW::Test::wait_for('the documents back', 10, sub { sleep 0.1; pred_keys() == $npred });
pass('emptied, Redis gets every document back');
like($t->worker_log('run'), qr/scoring demo: Redis no longer holds the documents written/,
     'the worker says why it writes them all');

my $ts1 = frame('08:00:24');
MTW::Test::wait_for('the new frame scored', 10, sub {
    ($etag, $doc) = score();
    return ($doc->{ts} // 0) == $ts1;
});
is($doc->{ts}, $ts1, "a new frame 24 s later scored at once ($ts1), an hour before MTW_SCORE_SEC");

# the feed-health document, built with it: the demo feed matches its own
# static feed
my %fh = @{ $t->redis_cmd('HGETALL', 'mtw:demo:doc:feed-health') || [] };
my $health = eval { decode_json($fh{body} // '') } || {};
ok(($health->{vehicles} // 0) > 0, "feed-health: $health->{vehicles} vehicles");
is($health->{vehicles_matched}, $health->{vehicles}, 'every one matched a scheduled trip');
is_deeply([ map { $health->{$_}{unknown} } qw(routes trips stops) ], [0, 0, 0],
          'no unknown route, trip or stop id');
ok($health->{stops}{seen} > 10, "$health->{stops}{seen} stop ids checked");

done_testing;
