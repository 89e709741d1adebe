# Riders' votes outlive the cache (jobs/votes.h).  Votes cast through the
# API are archived to PostgreSQL by the lease holder; Redis is flushed (a
# replaced cache node); the worker puts the counts back, once: neither a
# later archive nor a worker restart counts anything twice.
use strict;
use warnings;
use File::Path qw(make_path);
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep);
use MTW::Test;

my $t = MTW::Test->new;
my $dir = $t->dir;
my $zip = "$dir/demo.zip";
my $frame = "$dir/frame";
make_path($frame);
my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
is($rc, 0, 'demo feed') or diag($err);
($rc, $out, $err) = $t->worker('simulate', '--gtfs', $zip, '--out', $frame, '--once',
    '--date', '2025-07-02', '--clock', 'feed', '--start', '08:00:00');
is($rc, 0, 'one simulator frame') or diag($err);
$t->start_postgres;
$t->start_redis;
($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'demo', '--quiet', $zip);
is($rc, 0, 'gtfs-load') or diag($err);
my $city = $t->city_id('demo');

$t->start_nginx(<<"CONF");
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ {
            mtw_api;
            mtw_city demo;
        }
        location /feeds/ { alias $frame/; }
    }
CONF
my $feeds = 'http://127.0.0.1:' . $t->nginx_port . '/feeds';
my %env = (MTW_CITY => 'demo', MTW_CLOCK => 'feed', MTW_SERVICE_DATE => '2025-07-02',
    MTW_POLL_MS => 200, MTW_FEEDBACK_ARCHIVE_SEC => 1, MTW_LOG_LEVEL => 'debug',
    MTW_VEHICLES_URL => "$feeds/VehiclePositions.pb",
    MTW_TRIPS_URL => "$feeds/TripUpdates.pb");
$t->start_worker('run', {%env}, 'run');

my $json = JSON::PP->new;
my @vehicles;
MTW::Test::wait_for('vehicles published', 30, sub {
    my $r = $t->get('/api/realtime');
    return 0 unless $r->{status} == 200;
    @vehicles = map { $_->{id} } @{ $json->decode($r->{content})->{vehicles} || [] };
    return @vehicles >= 3;
});
my %cast = ($vehicles[0] => 'late', $vehicles[1] => 'ahead', $vehicles[2] => 'on_time');
for my $vid (sort keys %cast) {
    my $r = $t->http('POST', '/api/vehicle-feedback',
        body => $json->encode({ vehicleId => $vid, vote => $cast{$vid} }));
    is($r->{status}, 200, "a '$cast{$vid}' vote for $vid") or diag($r->{content});
}
sub summaries {
    return { map { my $d = $json->decode($t->get("/api/vehicle-feedback/$_")->{content});
                   ($_ => $d->{summary}) } sort keys %cast };
}
my $before = summaries();
is($before->{$vehicles[0]}{late}, 1, 'counted in Redis');

# the votes on the live documents: each vehicle's feedback in the realtime
# document, the feedback_summary of its predictions (a few seconds later)
my ($late_vehicle, $fb) = ($vehicles[0]);
MTW::Test::wait_for('votes on the realtime vehicles', 30, sub {
    my $r = $t->get('/api/realtime');
    return 0 unless $r->{status} == 200;
    ($fb) = map { $_->{feedback} } grep { $_->{id} eq $late_vehicle }
        @{ $json->decode($r->{content})->{vehicles} || [] };
    return $fb && ($fb->{total} // 0) == 1;
});
is_deeply($fb, { ahead => 0, on_time => 0, late => 1, total => 1 },
          "realtime: the feedback of $late_vehicle");
my $unvoted = $t->redis_cmd('HGET', 'mtw:demo:doc:realtime', 'body') // '';
my ($other) = grep { !$cast{$_->{id}} } @{ $json->decode($unvoted || '{}')->{vehicles} || [] };
is_deeply($other && $other->{feedback}, { ahead => 0, on_time => 0, late => 0, total => 0 },
          'a vehicle without votes: zeros') if $other;
my @summaries;
for my $key (@{ $t->redis_cmd('KEYS', 'mtw:demo:doc:predictions:*') || [] }) {
    my $doc = $json->decode($t->redis_cmd('HGET', $key, 'body') || '{}');
    push @summaries, map { $_->{feedback_summary} }
        grep { ($_->{vehicle_id} // '') eq $late_vehicle } @{ $doc->{predictions} || [] };
}
ok(@summaries > 0, scalar(@summaries) . " predictions of $late_vehicle");
is(scalar(grep { ($_->{late} // 0) == 1 && ($_->{total} // 0) == 1 } @summaries),
   scalar(@summaries), '... each with its feedback_summary');

sub archived {
    my $rows = $t->psql("SELECT vehicle_id || ':' || ahead || ':' || on_time || ':' || late
        FROM feedback_archive WHERE city_id = $city AND service_date = '2025-07-02'
        ORDER BY vehicle_id");
    return join ' ', split /\n/, $rows;
}
my $want = join ' ', map { my $v = $_; join ':', $v, map { $cast{$v} eq $_ ? 1 : 0 }
    qw(ahead on_time late) } sort keys %cast;
MTW::Test::wait_for('the votes archived to PostgreSQL', 30, sub { archived() eq $want });
pass("archived: $want");

# the cache node is replaced
$t->redis_cmd('FLUSHALL');
MTW::Test::wait_for('the counts back in Redis', 30, sub {
    my $r = $t->get("/api/vehicle-feedback/$vehicles[0]");
    $r->{status} == 200 && $json->decode($r->{content})->{summary}{total} > 0;
});
is_deeply(summaries(), $before, 'every count back, none doubled');
like($t->worker_log('run'), qr/votes demo: Redis had lost them; 3 vehicles' counts of 20250702 restored/,
     'the worker says it restored them');

# later archives and a restart count nothing twice
my $archives = () = $t->worker_log('run') =~ /votes demo: \d+ vehicles' counts archived/g;
MTW::Test::wait_for('two more archives', 30, sub {
    (() = $t->worker_log('run') =~ /votes demo: \d+ vehicles' counts archived/g) >= $archives + 2;
});
$t->stop_worker('run');
$t->start_worker('run2', {%env}, 'run');
MTW::Test::wait_for('the restarted worker archives', 30, sub {
    $t->worker_log('run2') =~ /votes demo: \d+ vehicles' counts archived/;
});
is_deeply(summaries(), $before, 'after more archives and a restart: the same counts');
is(archived(), $want, '... and the same archive');
unlike($t->worker_log('run2'), qr/restored from PostgreSQL/, 'the restart restored nothing');
$t->stop_worker('run2');

$t->done;
