# mtw_redis over a unix socket with mtw_redis_password: AUTH on every new
# connection, and a refused password is a 503 and a clear log line, not a
# hang.
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;
use IO::Socket::INET;

my $t = MTW::Test->new;
my $sock = $t->dir . '/redis/redis.sock';
$t->start_redis(args => [ '--unixsocket', $sock, '--unixsocketperm', '777' ]);
MTW::ApiSeed::seed($t);
is($t->redis_cmd('CONFIG', 'SET', 'requirepass', 's3cret'), 'OK', 'Redis wants a password');

$t->start_nginx(<<"CONF");
    mtw_redis unix:$sock;
    mtw_redis_password s3cret;
    mtw_redis_timeout 500ms;
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ { mtw_api; mtw_city saskatoon; }
    }
CONF

$t->check_requests([
    { path => '/api/score', status => 200, json => { ts => qr/^\d+$/ } },
    { path => '/api/v1/routes/14514', status => 200 },
]);

# with AUTH: change the password and drop every connection
sub authed {
    my (@cmd) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->redis_port)
        or die;
    my $req = '';
    for my $c ([ 'AUTH', 's3cret' ], \@cmd) {
        $req .= '*' . @$c . "\r\n" . join('', map { '$' . length($_) . "\r\n$_\r\n" } @$c);
    }
    print $s $req;
    my $a = <$s>;
    my $b = <$s>;
    return $b;
}
like(authed('CONFIG', 'SET', 'requirepass', 'other'), qr/^\+OK/, 'the password changes');
{
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->redis_port) or die;
    print $s "*2\r\n\$4\r\nAUTH\r\n\$5\r\nother\r\n*4\r\n\$6\r\nCLIENT\r\n\$4\r\nKILL\r\n"
        . "\$4\r\nTYPE\r\n\$6\r\nnormal\r\n";
    my $a = <$s>;
}

# the next connection's AUTH is refused: every answer is a quick 503
my @st;
MTW::Test::wait_for('AUTH refused in the log', 5, sub {
    my $r = $t->get('/api/score');
    push @st, [ $r->{status}, $r->{headers}{'retry-after'} ];
    $t->error_log =~ /AUTH refused/;
});
is(scalar(grep { $_->[0] != 503 } @st), 0, 'a refused password: 503s ('
   . scalar(@st) . ')');
is(scalar(grep { ($_->[1] // '') !~ /^\d+$/ } @st), 0, '... with Retry-After');
like($t->error_log, qr/AUTH refused by unix:\Q$sock\E.*mtw_redis_password/,
     'the error log names the server and the directive');

$t->done;
