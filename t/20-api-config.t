# The module's directives: every bad value fails `nginx -t` with a message
# naming the directive, good ones pass, and every directive of the command
# table is documented in README.md and used or shown in conf/nginx.conf.
use strict;
use warnings;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my $root = $t->root;

sub conf {
    my ($main, $loc) = @_;
    return <<"CONF";
    $main
    server {
        listen 127.0.0.1:%%PORT%%;
        location /api/ { mtw_api; $loc }
    }
CONF
}

MTW::Test::spew($t->dir . '/not-json.json', "{ nope\n");

my @bad = (
    [ 'mtw_redis', 'mtw_redis "127.0.0.1:notaport";', '' ],
    [ 'mtw_redis', 'mtw_redis unix:relative/path;', '' ],
    [ 'mtw_redis', 'mtw_redis 127.0.0.1:1; mtw_redis 127.0.0.1:2;', '' ],
    [ 'mtw_redis_timeout', 'mtw_redis_timeout 0;', '' ],
    [ 'mtw_redis_timeout', 'mtw_redis_timeout soon;', '' ],
    [ 'mtw_redis_timeout', 'mtw_redis_timeout 2m;', '' ],
    [ 'mtw_redis_connect_timeout', 'mtw_redis_connect_timeout 0;', '' ],
    [ 'mtw_cache', 'mtw_cache 2m;', '' ],
    [ 'mtw_cache', 'mtw_cache fast;', '' ],
    [ 'mtw_city', '', 'mtw_city Bad_City;' ],
    [ 'mtw_city', '', 'mtw_city ' . ('a' x 33) . ';' ],
    [ 'mtw_cors_origins', '', 'mtw_cors_origins example.com;' ],
    [ 'mtw_cors_origins', '', 'mtw_cors_origins https://a.example/;' ],
    [ 'mtw_feedback_rate', '', 'mtw_feedback_rate 0;' ],
    [ 'mtw_feedback_rate', '', 'mtw_feedback_rate ten;' ],
    [ 'mtw_openapi', '', 'mtw_openapi /nonexistent/openapi.json;' ],
    [ 'mtw_openapi', '', 'mtw_openapi %%DIR%%/not-json.json;' ],
    [ 'mtw_api', '', 'mtw_api;' ],
);

for my $case (@bad) {
    my ($directive, $main, $loc) = @$case;
    my ($rc, $out, $err) = $t->nginx_test_conf(conf($main, $loc));
    isnt($rc, 0, "nginx -t fails: $main$loc");
    like($err, qr/"?\Q$directive\E"?/, "the message names $directive")
        or diag($err);
}

my @good = (
    [ 'mtw_redis 127.0.0.1:6390; mtw_redis_password s3cret; '
      . 'mtw_redis_timeout 250ms; mtw_redis_connect_timeout 1s;',
      'mtw_city saskatoon; mtw_cors_origins https://mind-the-wait.ca '
      . 'capacitor://localhost; mtw_feedback_rate 10; '
      . "mtw_openapi $root/docs/openapi.json;" ],
    [ 'mtw_redis localhost:6379; mtw_cache 250ms;', 'mtw_city $arg_c;' ],
    [ 'mtw_cache off;', '' ],
    [ 'mtw_redis unix:/run/redis/redis.sock;', 'mtw_cors_origins *;' ],
    [ 'mtw_redis [::1]:6379;', 'mtw_cors_origins off;' ],
    [ '', '' ],
);

for my $case (@good) {
    my ($rc, $out, $err) = $t->nginx_test_conf(conf(@$case));
    is($rc, 0, "nginx -t passes: @$case") or diag($err);
}

# conf/nginx.conf itself passes nginx -t (with this build's paths)
{
    my $conf = MTW::Test::slurp("$root/conf/nginx.conf");
    my $d = $t->dir . '/prod';
    mkdir $d; mkdir "$d/logs";
    $conf =~ s{load_module \S+;}{'load_module ' . $t->module_so . ';'}e;
    $conf =~ s{redis\.internal:6379}{127.0.0.1:6379};
    $conf =~ s{/usr/share/mtw/}{$root/docs/}g;
    $conf =~ s{/run/nginx\.pid}{$d/nginx.pid};
    $conf =~ s{^(http \{)}{$1\n    client_body_temp_path $d/body;}m;
    MTW::Test::spew("$d/nginx.conf", $conf);
    my %env = $t->_nginx_env;
    my ($rc, $out, $err) = $t->run_cmd(\%env, 'nginx', '-t', '-p', "$d/", '-c', "$d/nginx.conf");
    is($rc, 0, 'conf/nginx.conf passes nginx -t') or diag($err);
}

# the command table is the documentation's source of truth
my $src = MTW::Test::slurp("$root/ngx_mtw_module/ngx_http_mtw_module.c");
my @directives = $src =~ /ngx_string\("(mtw_\w+)"\)/g;
cmp_ok(scalar @directives, '>=', 9, 'the command table lists the directives');
my $readme = MTW::Test::slurp("$root/README.md");
my $prod = MTW::Test::slurp("$root/conf/nginx.conf");
for my $d (@directives) {
    like($readme, qr/`\Q$d\E\b/, "README documents $d");
    like($prod, qr/\b\Q$d\E\b/, "conf/nginx.conf shows $d");
}

$t->done;
