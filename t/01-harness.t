# The harness itself: nginx with the module answers, errors are JSON, and the
# error-log scan catches what must fail a run.
use strict;
use warnings;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;

# the scanner must catch each failing level and nothing else
my $log = <<'LOG';
2026/11/28 10:00:00 [notice] 1#1: start worker processes
2026/11/28 10:00:01 [alert] 1#1: worker process exited on signal 11
2026/11/28 10:00:02 [info] 2#2: client closed connection
2026/11/28 10:00:03 [crit] 2#2: open() failed
2026/11/28 10:00:04 [emerg] 2#2: bind() failed
2026/11/28 10:00:05 [error] 2#2: something not fatal
LOG
my @bad = MTW::Test::bad_log_lines($log);
is(scalar @bad, 3, 'error-log scan finds alert, crit and emerg lines');
like($bad[0], qr/\[alert\]/, 'first bad line is the alert');
is(scalar MTW::Test::bad_log_lines("[notice] x\n[warn] y\n"), 0,
   'notice and warn lines pass');

MTW::Test::spew($t->dir . '/sanitizer-probe.123', "==1==ERROR: AddressSanitizer\n");
is(scalar MTW::Test::sanitizer_reports($t->dir), 1, 'a sanitizer report is found');
unlink $t->dir . '/sanitizer-probe.123';

$t->start_nginx(<<'CONF');
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ { mtw_api; }
        location / { return 200 "placeholder\n"; }
    }
CONF

$t->check_requests([
    { path => '/api/healthz', status => 200,
      headers_like => { 'content-type' => 'application/json; charset=utf-8' },
      json => { status => 'ok' } },
    { method => 'HEAD', path => '/api/healthz', status => 200, empty_body => 1 },
    { path => '/api/no-such-thing', status => 404,
      headers_like => { 'content-type' => qr{^application/json} },
      json => { 'error.code' => 'not_found', 'error.message' => qr/endpoint/ } },
    { method => 'DELETE', path => '/api/healthz', status => 405,
      json => { 'error.code' => 'method_not_allowed' } },
    { path => '/', status => 200, body_like => qr/placeholder/ },
]);

# in the sanitizer lane the nginx workers must really run the ASan runtime
if ($MTW::Test::SANITIZE) {
    my $pid = MTW::Test::read_pidfile($t->dir . '/nginx/nginx.pid');
    like(MTW::Test::slurp("/proc/$pid/maps"), qr/libasan/,
         'sanitizer lane: nginx runs with the ASan runtime');
    like(MTW::Test::slurp("/proc/$pid/maps"), qr{asan/nginx/objs/ngx_http_mtw_module\.so},
         'sanitizer lane: the ASan build of the module is loaded');
}

my ($rc, $out, $err) = $t->nginx_cmd('-t');
is($rc, 0, 'nginx -t passes with the module loaded') or diag($err);

$t->done;
