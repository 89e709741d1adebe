# gtfs-load from an http URL (libcurl into a temporary file), served here
# by nginx: success records the URL on the city; 404 and a closed port are
# one-line errors; no temporary file is left behind.
use strict;
use warnings;
use File::Path qw(make_path);
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my $dir = $t->dir;
make_path("$dir/www", "$dir/tmp");
$t->write_zip("$dir/www/tiny.zip", MTW::Test::tiny_gtfs());
$t->start_nginx(<<'EOF');
server {
    listen 127.0.0.1:%%PORT%%;
    location / { root %%DIR%%/www; }
}
EOF
$t->start_postgres;
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);

my $base = 'http://127.0.0.1:' . $t->nginx_port;
my %env = (TMPDIR => "$dir/tmp");
($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', "$base/tiny.zip");
is($rc, 0, 'import from a URL') or diag($err);
like($out, qr/^stop_times\.txt\s+6 rows/m, 'all rows imported');
is($t->psql("SELECT gtfs_static_url FROM city WHERE slug = 'tiny'"), "$base/tiny.zip",
    'the URL is recorded on the city');
is($t->psql("SELECT source FROM gtfs_import"), "$base/tiny.zip", 'and on the import');

($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', "$base/none.zip");
is($rc, 1, '404: exit 1');
like($err, qr{^mtw-worker gtfs-load: \Q$base\E/none\.zip: download failed: HTTP status 404\n\z},
    '404: one line');

my $closed = MTW::Test::free_port();
($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny',
    "http://127.0.0.1:$closed/feed.zip");
is($rc, 1, 'closed port: exit 1');
like($err, qr{^mtw-worker gtfs-load: http://127\.0\.0\.1:$closed/feed\.zip: download failed: [^\n]+\n\z},
    'closed port: one line');

my @left = glob("$dir/tmp/*");
is(scalar(@left), 0, 'no temporary file left behind') or diag("@left");

$t->done;
