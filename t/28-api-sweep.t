# A sweep of invalid values on every endpoint that takes an id or a query
# value: every length from 1 to 400 of several characters.  Issue 10's
# first finding: the "<name> must be <rule>" message was written 2 bytes
# past its allocation, and where that landed at the end of a pool block
# the nginx worker died.  Here: no worker dies (the error log has no
# "exited on signal"; in the sanitizer lane no ASan report either), and
# every answer is a JSON error of 400 or 404 (or a 200 search result).
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;
use IO::Socket::INET;
use JSON::PP;

my $t = MTW::Test->new;
$t->start_redis;
MTW::ApiSeed::seed($t);
$t->start_nginx(<<'CONF', workers => 2);
    mtw_redis 127.0.0.1:%%REDIS_PORT%%;
    mtw_redis_timeout 2s;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ {
            mtw_api;
            mtw_city saskatoon;
        }
    }
CONF

# V is the swept value, already URL-encoded
my @templates = (
    '/api/realtime?route_id=V',
    '/api/v1/stops?route_id=V',
    '/api/stops/V/predictions',
    '/api/stops/V/nearby',
    '/api/v1/routes/V',
    '/api/v1/stops/V/predictions',
    '/api/vehicle-feedback/V',
    '/api/v1/live-activity/route/V',
    '/api/v1/live-activity/stop/V/next-arrivals',
    '/api/dashboard/routes/V',
    '/api/dashboard/routes/V/live',
    '/api/score?city=V',
    '/api/stops/3734/predictions?limit=V',
    '/api/stops/3734/nearby?radius=V',
    '/api/stops?lat=V&lon=0',
    '/api/stops?name=V',
);
# one character each, as sent: a glob star, a percent sign, a quote, a
# colon (the separator of Redis keys), a backslash, a two-byte UTF-8
# letter, a space, and a valid id character (invalid only by its length)
my @chars = ('*', '%25', '%22', '%3A', '%5C', '%C3%A9', '%20', 'x');

my @requests;
for my $tpl (@templates) {
    for my $c (@chars) {
        for my $len (1 .. 400) {
            (my $path = $tpl) =~ s/V/$c x $len/e;
            push @requests, $path;
        }
    }
}

# Sends the paths over keep-alive connections, 100 requests to a
# connection, pipelined; returns [ status, body ] per path.
sub fetch_all {
    my (@paths) = @_;
    my @out;
    while (my @batch = splice @paths, 0, 100) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
            PeerPort => $t->nginx_port, Timeout => 10)
            or die "connect: $!";
        print $s join '', map { "GET $_ HTTP/1.1\r\nHost: localhost\r\n\r\n" } @batch;
        for my $p (@batch) {
            my $head = '';
            while ($head !~ /\r\n\r\n\z/) {
                my $n = sysread($s, my $ch, 1);
                if (!$n) {
                    push @out, [ 0, "connection closed before the answer to $p" ];
                    $head = undef;
                    last;
                }
                $head .= $ch;
            }
            last unless defined $head;
            my ($status) = $head =~ m{\AHTTP/1\.1 (\d{3})};
            my ($clen) = $head =~ /^Content-Length: (\d+)\r$/mi;
            my $body = '';
            if (defined $clen) {
                while (length $body < $clen) {
                    my $n = sysread($s, $body, $clen - length $body, length $body);
                    last unless $n;
                }
            } else {
                $body = 'no Content-Length';
            }
            push @out, [ $status // 0, $body, $p ];
        }
        close $s;
    }
    return @out;
}

my @answers = fetch_all(@requests);
is(scalar @answers, scalar @requests,
   scalar(@requests) . ' requests answered (' . @templates . ' endpoints x '
   . @chars . ' characters x lengths 1-400)');

my (%bad, $json_errors);
my $codec = JSON::PP->new;
for my $a (@answers) {
    my ($status, $body, $path) = @$a;
    my $doc = eval { $codec->decode($body) };
    my $ok = ($status == 400 || $status == 404) && ref $doc eq 'HASH'
            && ref $doc->{error} eq 'HASH' && defined $doc->{error}{code}
            && defined $doc->{error}{message}
        || $status == 200 && $path =~ m{^/api/stops\?name=} && ref $doc eq 'ARRAY'
        # a run of up to 64 x is a valid id: an empty vote summary
        || $status == 200 && $path =~ m{^/api/vehicle-feedback/x{1,64}\z}
            && ref $doc eq 'HASH';
    $json_errors++ if $status == 400 || $status == 404;
    next if $ok;
    my $key = "$status " . substr($body, 0, 60);
    $bad{$key} //= $path;
}
is_deeply(\%bad, {}, 'every answer is a JSON 400/404 error (or a search result)')
    or diag(join "\n", map { "$_ <- $bad{$_}" } sort keys %bad);
cmp_ok($json_errors, '>', @requests * 0.9, "$json_errors JSON errors");

my $log = $t->error_log;
my @crashes = $log =~ /(worker process \d+ exited on signal \d+)/g;
is(scalar @crashes, 0, 'no nginx worker died') or diag("@crashes[0 .. 4]");

$t->done;
