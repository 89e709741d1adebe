# Redis over TLS with AUTH (an ACL user) in both programs: the module does
# its I/O through nginx's SSL layer, the worker through OpenSSL, hiredis
# only formats and reads.  A test CA is made here.  A wrong password, an
# untrusted certificate and a certificate for another name each fail with a
# clear error (503 with Retry-After from nginx, backing off; a non-zero
# exit from the worker), and no secret reaches any log.
use strict;
use warnings;
use Test::More;
use MTW::Test;
use MTW::ApiSeed;
use IO::Socket::INET;

my $t = MTW::Test->new;
my $dir = $t->dir;
my $pki = "$dir/pki";
mkdir $pki or die;

# ossl ARGS: openssl, quiet, dies on failure
sub ossl {
    my $rc = $t->run_cmd({}, 'openssl', @_);
    die "openssl @_ failed\n" if $rc != 0;
}
my @ec = ('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes');
for my $ca ('ca', 'rogue-ca') {
    ossl('req', '-x509', @ec, '-keyout', "$pki/$ca.key", '-out', "$pki/$ca.crt",
         '-days', '2', '-subj', "/CN=mtw test $ca");
}
ossl('req', @ec, '-keyout', "$pki/redis.key", '-out', "$pki/redis.csr",
     '-subj', '/CN=redis.test');
MTW::Test::spew("$pki/ext", "subjectAltName=DNS:redis.test,IP:127.0.0.1\n");
ossl('x509', '-req', '-in', "$pki/redis.csr", '-CA', "$pki/ca.crt", '-CAkey',
     "$pki/ca.key", '-CAcreateserial', '-out', "$pki/redis.crt", '-days', '2',
     '-extfile', "$pki/ext");

# Redis: the harness's plain port (to seed and inspect) and a TLS port
my $tls_port = $t->port('redis-tls');
$t->start_redis(args => [ '--tls-port', $tls_port,
    '--tls-cert-file', "$pki/redis.crt", '--tls-key-file', "$pki/redis.key",
    '--tls-ca-cert-file', "$pki/ca.crt", '--tls-auth-clients', 'no' ]);
MTW::ApiSeed::seed($t);
my ($user, $pw, $admin_pw) = ('mtw-app', 'app-Secret-7f3a', 'admin-Secret-91c2');
is($t->redis_cmd('ACL', 'SETUSER', $user, 'on', ">$pw", '~mtw:*', '&mtw:published', '+@all'), 'OK',
   'an ACL user for the programs');
is($t->redis_cmd('CONFIG', 'SET', 'requirepass', $admin_pw), 'OK', 'AUTH required');

# authed(CMD...): one command on the plain port as the admin
sub authed {
    my (@cmd) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $t->redis_port)
        or die;
    my $req = '';
    for my $c ([ 'AUTH', $admin_pw ], \@cmd) {
        $req .= '*' . @$c . "\r\n" . join('', map { '$' . length($_) . "\r\n$_\r\n" } @$c);
    }
    print $s $req;
    <$s>;
    my $line = <$s>;
    if ($line =~ /^\$(\d+)/) {            # a bulk string: its body
        read($s, $line, $1);
    }
    $line =~ s/\r\n\z//;
    return $line;
}

# nginx with these Redis settings; the error log starts empty
sub nginx_with {
    my (%o) = @_;
    $t->stop_nginx if $t->{nginx_dir};
    unlink "$dir/nginx/logs/error.log";
    my $conf = "    mtw_redis 127.0.0.1:$tls_port;\n"
             . "    mtw_redis_tls on;\n"
             . "    mtw_redis_tls_name $o{name};\n"
             . "    mtw_redis_tls_trusted_certificate $pki/$o{ca}.crt;\n"
             . "    mtw_redis_user $user;\n"
             . "    mtw_redis_password $o{pw};\n"
             . "    mtw_redis_timeout 500ms;\n"
             . "    server {\n"
             . "        listen 127.0.0.1:%%PORT%%;\n"
             . "        location /api/ { mtw_api; mtw_city saskatoon; }\n"
             . "    }\n";
    $t->start_nginx($conf);
}

# --- the module: TLS, verified name, ACL user ------------------------------
nginx_with(name => 'redis.test', ca => 'ca', pw => $pw);
$t->check_requests([
    { path => '/api/score', status => 200, json => { ts => qr/^\d+$/ } },
    { path => '/api/v1/routes/14514', status => 200 },
    { path => '/api/livez', status => 200 },
]);
my $etag_seeded = $t->get('/api/score')->{headers}{etag};
like(authed('CLIENT', 'LIST'), qr/laddr=127\.0\.0\.1:$tls_port .*user=\Q$user\E/,
     'nginx is connected to the TLS port as the ACL user');

# --- the worker: publishes over TLS as the ACL user -------------------------
$t->start_postgres;
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'saskatoon', '--quiet',
    $t->data_file('saskatoon/gtfs-2025-06-29.zip'));
is($rc, 0, 'gtfs-load') or diag($err);

my %tls_env = (MTW_REDIS_URL => "rediss://127.0.0.1:$tls_port",
    MTW_REDIS_TLS_NAME => 'redis.test', MTW_REDIS_CA_FILE => "$pki/ca.crt",
    MTW_REDIS_USER => $user, MTW_REDIS_PASSWORD => $pw);
my @publish = ('score', '--city', 'saskatoon', '--date', '2025-07-02', '--at',
               '08:00', '--repeat', '1', '--publish');
($rc, $out, $err) = $t->worker({ %tls_env }, @publish);
is($rc, 0, 'the worker publishes over TLS as the ACL user') or diag($err);
my $r = $t->get('/api/score');
is($r->{status}, 200, 'nginx reads what the worker wrote');
isnt($r->{headers}{etag}, $etag_seeded, '... a new score document (ETag changed)');

# the worker's failures: a clear reason, a non-zero exit
for my $case (
    [ 'a wrong password', { MTW_REDIS_PASSWORD => 'not-the-password' },
      qr/AUTH refused: WRONGPASS/ ],
    [ 'an untrusted certificate', { MTW_REDIS_CA_FILE => "$pki/rogue-ca.crt" },
      qr/TLS: certificate of redis\.test not trusted/ ],
    [ 'a certificate for another name', { MTW_REDIS_TLS_NAME => 'other.test' },
      qr/TLS: certificate of other\.test not trusted: [Hh]ostname mismatch/ ],
    [ 'TLS to a plain port', { MTW_REDIS_URL => 'rediss://127.0.0.1:' . $t->redis_port },
      qr/TLS handshake with redis\.test failed/ ],
) {
    my ($what, $env, $want) = @$case;
    ($rc, $out, $err) = $t->worker({ %tls_env, %$env }, @publish);
    isnt($rc, 0, "worker, $what: fails");
    like($err, $want, "worker, $what: says why") or diag($err);
}

# the run loop with a refused password: says why once, keeps running and
# keeps retrying (redis_conn.c: 200 ms doubling to 5 s between attempts)
my $conns = sub { (authed('INFO', 'stats') =~ /total_connections_received:(\d+)/)[0] };
my $c0 = $conns->();
$t->start_worker('run', { %tls_env, MTW_REDIS_PASSWORD => 'not-the-password',
    MTW_CITY => 'saskatoon', MTW_POLL_MS => 100 }, 'run');
MTW::Test::wait_for('the run loop says why', 10, sub {
    $t->worker_log('run') =~ /redis unavailable: AUTH refused: WRONGPASS/;
});
MTW::Test::wait_for('three attempts', 15, sub { $conns->() - $c0 >= 3 });
my ($ticks_before) = scalar(() = $t->worker_log('run') =~ /redis unavailable/g);
is($ticks_before, 1, 'the run loop logs the refusal once, not at every attempt');
my ($rc_run) = $t->stop_worker('run');
is($rc_run, 0, 'the run loop stayed up and stops cleanly');

# --- the module's failures: 503 at once, a clear log line, backoff ----------
for my $case (
    [ 'a wrong password', { name => 'redis.test', ca => 'ca', pw => 'not-the-password' },
      qr/AUTH refused by 127\.0\.0\.1:\d+ \(check mtw_redis_user and mtw_redis_password\): WRONGPASS/ ],
    [ 'an untrusted certificate', { name => 'redis.test', ca => 'rogue-ca', pw => $pw },
      qr/the certificate of 127\.0\.0\.1:\d+ is not trusted: .*mtw_redis_tls_trusted_certificate/ ],
    [ 'a certificate for another name', { name => 'other.test', ca => 'ca', pw => $pw },
      qr/does not name "other\.test", check mtw_redis_tls_name/ ],
) {
    my ($what, $conf, $want) = @$case;
    nginx_with(%$conf);
    my @st;
    MTW::Test::wait_for("nginx, $what: the log line", 10, sub {
        my $resp = $t->get('/api/score');
        push @st, [ $resp->{status}, $resp->{headers}{'retry-after'} ];
        $t->error_log =~ $want;
    });
    # a few more requests while it backs off
    for (1 .. 5) {
        my $resp = $t->get('/api/score');
        push @st, [ $resp->{status}, $resp->{headers}{'retry-after'} ];
    }
    is(scalar(grep { $_->[0] != 503 } @st), 0, "nginx, $what: only 503s (" . @st . ')');
    is(scalar(grep { ($_->[1] // '') !~ /^\d+$/ } @st), 0, "nginx, $what: with Retry-After");
    my @attempts = $t->error_log =~ /mtw redis: closing the connection/g;
    cmp_ok(scalar(@attempts), '<', scalar(@st),
           "nginx, $what: backs off (" . @attempts . ' attempts for ' . @st . ' requests)');
}

# no secret in any log or output
my @files = (glob("$dir/cmd-*"), glob("$dir/nginx/logs/*"), glob("$dir/redis/*.log"),
             glob("$dir/worker-*.log"));
my @leaks = grep { my $s = MTW::Test::slurp($_); index($s, $pw) >= 0 || index($s, $admin_pw) >= 0 } @files;
is("@leaks", '', 'no password in ' . scalar(@files) . ' logs and outputs');

$t->done;
