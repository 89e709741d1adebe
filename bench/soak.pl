#!/usr/bin/perl
# bench/soak.pl - the whole service under mixed traffic while faults are
# injected in turn (bench/soak.sh runs it; t/47-soak.t runs a short one).
#
# Started for real: PostgreSQL (durable), Redis, nginx with the module and
# 2 worker processes, the simulator writing a frame every second, a feed
# server that can be told to fail, and `mtw-worker run` publishing every
# second.  Load clients (forked) send every endpoint, conditional requests
# (304), bad requests and votes.  The faults, one per slot of the run:
#
#   redis-restart  Redis stopped and started empty (no persistence)
#   redis-pause    Redis stopped with SIGSTOP for 3 s
#   feed-500       the feed answers 500
#   feed-garbage   the feed answers bytes that are not protobuf
#   feed-hang      the feed accepts and never answers
#   reload         nginx -s reload
#   upgrade        binary upgrade: USR2, WINCH, QUIT of the old master
#
# Printed: requests, answers by class, p99 outside the Redis faults, RSS of
# nginx and of the worker at start and end, arrivals detected and logged.
# Targets (exit 1 when one is missed): no connection error, 503 only while
# Redis is faulted (until the worker has republished), no other 5xx, no
# unexpected 4xx, every arrival the worker detected is in arrival_log.
#
#   perl bench/soak.pl [SECONDS]      (default 120; after `make`)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../t/lib";
use File::Path qw(make_path);
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Time::HiRes qw(time sleep);
use MTW::Test;

my $SECS = shift // $ENV{MTW_SOAK_SECS} // 120;
die "usage: soak.pl [SECONDS >= 20]\n" unless $SECS =~ /^\d+$/ && $SECS >= 20;
my $CLIENTS = $ENV{MTW_SOAK_CLIENTS} // 4;
my @FAULTS = qw(redis-restart redis-pause feed-500 feed-garbage feed-hang
                reload upgrade);

$| = 1;
my $t = MTW::Test->new;
my $dir = $t->dir;
my $live = "$dir/live";
my $fault_file = "$dir/feed-fault";
make_path($live);
my $zip = "$dir/demo.zip";
my ($rc, $out, $err) = $t->worker('simulate', '--demo-gtfs', $zip);
die "demo feed: $err" if $rc;
$t->start_postgres(durable => 1);
$t->start_redis;
($rc, $out, $err) = $t->worker('migrate');
die "migrate: $err" if $rc;
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'demo', '--quiet', $zip);
die "gtfs-load: $err" if $rc;
my $city = $t->city_id('demo');

$t->start_nginx(<<"CONF", workers => 2);
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_timeout 500ms;
    mtw_redis_connect_timeout 500ms;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ {
            mtw_api;
            mtw_city demo;
            mtw_openapi %%ROOT%%/docs/openapi.json;
        }
    }
CONF
my $feed_port = feed_server();
my $feeds = "http://127.0.0.1:$feed_port";
$t->start_worker('sim', 'simulate', '--gtfs', $zip, '--out', $live,
    '--interval', '1', '--speed', '30', '--date', '2025-07-02',
    '--clock', 'feed', '--start', '07:30:00', '--delay-profile', 'heavy');
MTW::Test::wait_for('first frame', 20, sub { -e "$live/Alerts.pb" });
$t->start_worker('run', { MTW_CITY => 'demo', MTW_CLOCK => 'feed',
    MTW_SERVICE_DATE => '2025-07-02', MTW_POLL_MS => 1000,
    MTW_LOG_LEVEL => 'debug', MTW_HTTP_TIMEOUT_MS => 2000,
    MTW_VEHICLES_URL => "$feeds/VehiclePositions.pb",
    MTW_TRIPS_URL => "$feeds/TripUpdates.pb",
    MTW_ALERTS_URL => "$feeds/Alerts.pb" }, 'run');

my $json = JSON::PP->new;
my $rt;
MTW::Test::wait_for('vehicles published', 30, sub {
    my $r = $t->get('/api/realtime');
    return 0 unless $r->{status} == 200;
    $rt = $json->decode($r->{content});
    return grep { $_->{route} && $_->{stop_id} } @{ $rt->{vehicles} || [] };
});
my ($veh) = grep { $_->{route} && $_->{stop_id} } @{ $rt->{vehicles} };
my ($route, $stop) = ($veh->{route}, $veh->{stop_id});

# kind g: a good GET (200); c: the same, revalidated (200 or 304);
# b: a bad request (400 or 404); v: a vote (200; 409 once voted, 422 for
# a vehicle gone)
my @good = ('/api/healthz', '/api/score', '/api/realtime',
    "/api/realtime?route_id=$route", '/api/v1/routes', "/api/v1/routes/$route",
    '/api/stops?name=st', "/api/stops/$stop/predictions",
    "/api/stops/$stop/nearby", '/api/dashboard/overview',
    '/api/dashboard/routes', "/api/dashboard/routes/$route/live",
    "/api/v1/live-activity/route/$route", "/api/vehicle-feedback/$veh->{id}",
    '/api/v1/cities', '/api/doc.json');
my @bad = ('/api/stops/' . ('*' x 40) . '/predictions', '/api/nothing-here',
    '/api/realtime?route_id=%00', '/api/v1/routes/a%20b');
my @vehicles = map { $_->{id} } @{ $rt->{vehicles} };

my $rss0 = rss();
my $t_start = time;
my @clients = map { load_client($_) } 1 .. $CLIENTS;

# the faults, one per slot; a Redis window lasts until the worker has
# published again into the recovered Redis
my $slot = $SECS / (@FAULTS + 2);
my @windows;
sleep $slot;
for my $f (@FAULTS) {
    my $t0 = time;
    printf "soak: %5.1f s %s\n", $t0 - $t_start, $f;
    inject($f);
    my $left = $t0 + $slot - time;
    sleep $left if $left > 0;
}
sleep $slot;
MTW::Test::spew("$dir/load.stop", '');     # (a signal would cut a request)
waitpid($_, 0) for @clients;
my $elapsed = time - $t_start;
my $rss1 = rss();

# arrivals: stop the simulation, let the queue drain, compare
$t->stop_worker('sim');
my ($detected, $logged) = (0, 0);
my $until = time + 30;
while (time < $until) {
    $detected = 0;
    my $log = $t->worker_log('run');
    $detected += $1 while $log =~ /history demo: (\d+) arrivals, \d+ bunching episodes detected/g;
    $logged = $t->psql("SELECT count(*) FROM arrival_log WHERE city_id = $city");
    last if $logged == $detected
        && ($t->redis_cmd('LLEN', 'mtw:demo:history:pending') // 0) == 0;
    sleep 0.5;
}

# the answers, by class
my (%class, @lat, %unexpected);
for my $c (1 .. $CLIENTS) {
    open my $fh, '<', "$dir/load.$c" or next;
    while (<$fh>) {
        my ($at, $status, $ms, $kind, $path) = split ' ', $_, 5;
        chomp $path;
        my $end = $at + $ms / 1000;
        my $in_fault = grep { $end >= $_->[0] && $at <= $_->[1] } @windows;
        my $cl = classify($status, $kind, $in_fault);
        $class{$cl}++;
        push @lat, $ms if !$in_fault && $status < 500 && $kind ne 'R';
        $unexpected{"$status $kind $path"}++ if $cl =~ /^(unexpected|conn|5xx|503 outside)/;
    }
}
my $n = 0;
$n += $class{$_} for grep { !/^GET resent/ } keys %class;
@lat = sort { $a <=> $b } @lat;
my $p99 = @lat ? $lat[int(0.99 * $#lat)] : 0;
my $p50 = @lat ? $lat[int(0.50 * $#lat)] : 0;

printf "soak: %d requests in %.0f s (%.0f/s) from %d clients, %d nginx workers\n",
    $n, $elapsed, $n / $elapsed, $CLIENTS, 2;
printf "soak: %-28s %d\n", $_, $class{$_} for sort keys %class;
printf "soak: latency outside Redis faults: p50 %.2f ms, p99 %.2f ms\n", $p50, $p99;
printf "soak: nginx RSS %.1f -> %.1f MB, worker RSS %.1f -> %.1f MB\n",
    $rss0->{nginx} / 1024, $rss1->{nginx} / 1024,
    $rss0->{worker} / 1024, $rss1->{worker} / 1024;
printf "soak: arrivals detected %d, logged %d, lost %d\n",
    $detected, $logged, $detected - $logged;
printf "soak: unexpected: %s x%d\n", $_, $unexpected{$_} for sort keys %unexpected;

my @missed;
push @missed, 'no requests' if $n < 100;
push @missed, 'connection errors' if $class{conn};
push @missed, '503 outside a Redis fault' if $class{'503 outside a Redis fault'};
push @missed, 'other 5xx' if $class{'5xx'};
push @missed, 'unexpected 4xx' if $class{unexpected};
push @missed, 'arrivals lost' if $detected != $logged;
push @missed, 'no arrivals detected' if $detected == 0;
push @missed, 'sanitizer reports' if MTW::Test::sanitizer_reports($dir);
print @missed ? "soak: MISSED: " . join(', ', @missed) . "\n" : "soak: all targets met\n";
$t->stop_all;
exit(@missed ? 1 : 0);

# --- classes -----------------------------------------------------------------

sub classify {
    my ($status, $kind, $in_fault) = @_;
    return 'GET resent: keep-alive closed' if $kind eq 'R';
    return 'conn' if $status == 599;
    return $in_fault ? '503 in a Redis fault' : '503 outside a Redis fault'
        if $status == 503;
    return '5xx' if $status >= 500;
    return 'ok 304' if $status == 304 && $kind eq 'c';
    return 'ok 200' if $status == 200 && $kind =~ /[gcv]/;
    return 'bad request answered 4xx' if $kind eq 'b' && $status =~ /^40[04]$/;
    # 409: voted already; 422: the vehicle left the snapshot since
    return 'vote refused 409/422' if $kind eq 'v' && $status =~ /^(409|422)$/;
    # an empty Redis has no documents until the worker publishes again
    return '404 in a Redis fault' if $in_fault && $status == 404;
    return 'unexpected';
}

# --- faults ------------------------------------------------------------------

sub inject {
    my ($f) = @_;
    if ($f eq 'redis-restart') {
        my $t0 = time;
        $t->stop_redis;
        sleep 0.5;
        $t->start_redis;
        push @windows, [ $t0, republished() + 1 ];
    } elsif ($f eq 'redis-pause') {
        my $pid = MTW::Test::read_pidfile("$dir/redis/redis.pid");
        my $t0 = time;
        kill 'STOP', $pid;
        sleep 3;
        kill 'CONT', $pid;
        push @windows, [ $t0, republished() + 1 ];
    } elsif ($f =~ /^feed-(\w+)/) {
        MTW::Test::spew($fault_file, $1);
        sleep $slot / 2;
        unlink $fault_file;
    } elsif ($f eq 'reload') {
        my ($rc2, $o) = $t->nginx_cmd('-s', 'reload');
        die "nginx -s reload: $o" if $rc2;
    } elsif ($f eq 'upgrade') {
        upgrade();
    }
}

# when the worker has written the score into Redis again
sub republished {
    my $t0 = time;
    $t->redis_cmd('DEL', 'mtw:demo:doc:score');
    my $until = time + 30;
    sleep 0.05 while time < $until
        && !$t->redis_cmd('EXISTS', 'mtw:demo:doc:score');
    return time;
}

sub upgrade {
    my $pidfile = "$dir/nginx/nginx.pid";
    my $old = MTW::Test::read_pidfile($pidfile);
    kill 'USR2', $old;
    MTW::Test::wait_for('the new master', 10, sub {
        my $new = MTW::Test::read_pidfile($pidfile) // 0;
        return 0 if $new == $old || !-e "$pidfile.oldbin";
        my @kids = split ' ', `pgrep -P $new`;
        return @kids >= 2;
    });
    kill 'WINCH', $old;
    sleep 0.5;
    kill 'QUIT', $old;
    MTW::Test::wait_for('the old master gone', 10, sub { !MTW::Test::pid_alive($old) });
}

sub rss {
    my %r = (nginx => 0, worker => 0);
    my $master = MTW::Test::read_pidfile("$dir/nginx/nginx.pid");
    for my $pid ($master, split ' ', `pgrep -P $master`) {
        $r{nginx} += vmrss($pid);
    }
    $r{worker} = vmrss($t->{procs}{'worker-run'});
    return \%r;
}

sub vmrss {
    my ($pid) = @_;
    open my $fh, '<', "/proc/$pid/status" or return 0;
    while (<$fh>) { return $1 if /^VmRSS:\s+(\d+)/ }
    return 0;
}

# --- the feed server: serves the simulator's files, or the fault asked ------

sub feed_server {
    my $srv = IO::Socket::INET->new(Listen => 64, LocalAddr => '127.0.0.1',
        LocalPort => 0, ReuseAddr => 1) or die "feed server: $!";
    my $port = $srv->sockport;
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        local $SIG{CHLD} = 'IGNORE';
        while (my $c = $srv->accept) {
            next if fork;           # one process per connection
            my $line = <$c> // '';
            while (my $h = <$c>) { last if $h =~ /^\r?\n$/ }
            my ($file) = $line =~ m{^GET /([A-Za-z]+\.pb) };
            my $fault = -e $fault_file ? MTW::Test::slurp($fault_file) : '';
            if ($fault eq 'hang') {
                sleep 0.2 while -e $fault_file;
            } elsif ($fault eq '500') {
                print $c "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n"
                    . "Connection: close\r\n\r\n";
            } else {
                my $body = $fault eq 'garbage' ? "\xff\x0a\x99not protobuf" x 20
                         : $file && -e "$live/$file" ? MTW::Test::slurp("$live/$file")
                         : undef;
                print $c defined $body
                    ? "HTTP/1.1 200 OK\r\nContent-Length: " . length($body)
                      . "\r\nConnection: close\r\n\r\n$body"
                    : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                      . "Connection: close\r\n\r\n";
            }
            close $c;
            POSIX::_exit(0);
        }
        POSIX::_exit(0);
    }
    close $srv;
    $t->{procs}{'worker-feeds'} = $pid;     # stopped with the workers
    return $port;
}

# --- load --------------------------------------------------------------------

sub load_client {
    my ($c) = @_;
    my $pid = fork // die "fork: $!";
    return $pid if $pid;
    require HTTP::Tiny;
    my $ua = HTTP::Tiny->new(timeout => 5, keep_alive => 1);
    # votes on a fresh connection: a POST is not retried on a keep-alive
    # connection the server closed (reload), as no client may
    my $ua1 = HTTP::Tiny->new(timeout => 5, keep_alive => 0);
    my $base = 'http://127.0.0.1:' . $t->nginx_port;
    my %etag;
    open my $fh, '>', "$dir/load.$c" or die;
    my $i = $c * 7;
    until (-e "$dir/load.stop") {
        my $k = $i++ % 20;
        my ($kind, $path, $r);
        my $t0 = time;
        if ($k < 12) {
            $path = $good[ $i % @good ];
            $kind = 'g';
            $r = $ua->get("$base$path");
        } elsif ($k < 17) {
            $path = $good[ ($i * 3) % @good ];
            $kind = 'c';
            $r = $ua->get("$base$path", { headers =>
                { 'If-None-Match' => $etag{$path} // '"0"' } });
        } elsif ($k < 19) {
            $path = $bad[ $i % @bad ];
            $kind = 'b';
            $r = $ua->get("$base$path");
        } else {
            $path = '/api/vehicle-feedback';
            $kind = 'v';
            $r = $ua1->post("$base$path", { headers => { 'Content-Type'
                => 'application/json' }, content => encode_json({ vehicleId
                => $vehicles[ $i % @vehicles ], vote => 'late' }) });
        }
        # a keep-alive connection nginx closed (a reload, an upgrade) just
        # as the request went out: a GET is sent again once, as browsers
        # do (RFC 9112 9.3.1); counted apart, and a second failure counts
        if ($r->{status} == 599 && $kind ne 'v'
            && $r->{content} =~ /reset by peer|closed|Unexpected end/i)
        {
            printf $fh "%.4f 0 0 R %s\n", $t0, $path;
            $r = $ua->request('GET', "$base$path", $kind eq 'c'
                ? { headers => { 'If-None-Match' => $etag{$path} // '"0"' } }
                : {});
        }
        if ($r->{status} == 599) {
            (my $why = $r->{content} // '') =~ s/\s+/_/g;
            $path .= " ($why)";
        }
        $etag{$path} = $r->{headers}{etag} if $r->{headers}{etag};
        printf $fh "%.4f %d %.3f %s %s\n", $t0, $r->{status},
            (time - $t0) * 1000, $kind, $path;
    }
    close $fh;
    POSIX::_exit(0);
}
