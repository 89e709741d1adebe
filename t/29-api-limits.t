# The per-client limits of the shipped configuration, run as shipped:
# conf/nginx.conf's http block (only its addresses and paths moved here).
# A burst on the stop search and on the rest of /api ends in 429 with the
# API's JSON error and Retry-After; request bodies and headers are capped.
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use MTW::Test;
use MTW::ApiSeed;

my $t = MTW::Test->new;
my $root = $t->root;
$t->start_redis;
MTW::ApiSeed::seed($t);

my $conf = MTW::Test::slurp("$root/conf/nginx.conf");
my ($http) = $conf =~ /^http \{\n(.*)^\}/ms or die "no http block in conf/nginx.conf";
$http =~ s{^\s*access_log /dev/stdout;\n}{}m;
$http =~ s{^\s*default_type application/octet-stream;\n}{}m;    # the harness sets it
$http =~ s{redis\.internal:6379}{127.0.0.1:%%REDIS_PORT%%};
$http =~ s{listen 8080 default_server;}{listen 127.0.0.1:%%PORT%%;};
$http =~ s{/usr/share/mtw/openapi\.json}{$root/docs/openapi.json}g;
$http =~ s{/usr/share/mtw/html}{$root/html}g;
$t->start_nginx($http);

# Sends $n GETs of $path over one keep-alive connection, pipelined, from
# the client address $from (each case its own: 127.0.0.0/8 is all loopback);
# returns [status, headers, body] of each.
sub burst {
    my ($path, $n, $from) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->nginx_port,
                                  LocalAddr => $from)
        or die "connect: $!";
    print $s "GET $path HTTP/1.1\r\nHost: x\r\n\r\n" x $n;
    my @out;
    for (1 .. $n) {
        my $head = '';
        while ($head !~ /\r\n\r\n\z/) {
            sysread($s, my $c, 1) or last;
            $head .= $c;
        }
        my ($status) = $head =~ m{^HTTP/1\.1 (\d+)};
        my ($len) = $head =~ /^Content-Length: (\d+)\r$/mi;
        my $body = '';
        while (defined $len && length $body < $len) {
            sysread($s, $body, $len - length $body, length $body) or last;
        }
        push @out, [ $status // 0, $head, $body ];
    }
    return @out;
}

for my $case ([ '/api/stops?name=prim', 60, 11, '127.0.0.2' ],
              [ '/api/score', 120, 41, '127.0.0.3' ]) {
    my ($path, $n, $burst, $from) = @$case;
    my @r = burst($path, $n, $from);
    my @ok = grep { $_->[0] == 200 } @r;
    my @limited = grep { $_->[0] == 429 } @r;
    is(@ok + @limited, $n, "$path x $n: every answer is 200 or 429");
    cmp_ok(scalar @ok, '>=', $burst, "... the burst allowance passes (" . @ok . ' x 200)');
    cmp_ok(scalar @limited, '>', 0, '... then 429 (' . @limited . ')');
    my @bad = grep { $_->[2] !~ /\A\{"error":\{"code":"too_many_requests","message":"[^"]+"\}\}\z/
                     || $_->[1] !~ /^Retry-After: 1\r$/m
                     || $_->[1] !~ m{^Content-Type: application/json}m } @limited;
    is(scalar @bad, 0, '... each 429 the JSON error with Retry-After');
}

# bodies and headers are capped
my $r = $t->http('POST', '/api/vehicle-feedback', body => 'x' x 8192,
                 headers => { 'Content-Type' => 'application/json' });
is($r->{status}, 413, 'an 8 KiB body: 413');
$r = $t->get('/api/healthz', headers => { 'X-Big' => 'y' x 16384 });
is($r->{status}, 400, 'a 16 KiB header: 400');

$t->done;
