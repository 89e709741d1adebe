# gtfs-load from an http URL (libcurl into a temporary file), served here
# by nginx: success records the URL and its validators on the city; an
# unchanged feed is not downloaded again (304) unless --force; a changed one
# is; a main URL answering 503 is retried, then the fallback imported; a
# 404 is not retried; 404 and a closed port are one-line errors; no
# temporary file is left behind.
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
    location = /down.zip { return 503; }
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

like($t->psql("SELECT gtfs_etag FROM city WHERE slug = 'tiny'"), qr/^"[0-9a-f]+-[0-9a-f]+"$/,
     "the feed's ETag is kept");
sub version { $t->psql("SELECT gtfs_version FROM city WHERE slug = 'tiny'") }
sub requests {
    my ($path, $status) = @_;
    my $log = MTW::Test::slurp($t->dir . '/nginx/logs/access.log');
    return scalar(() = $log =~ m{"GET \Q$path\E HTTP/[\d.]+" $status }g);
}
my $v1 = version();

# unchanged: one conditional request, nothing imported
($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', "$base/tiny.zip");
is($rc, 0, 'unchanged feed: exit 0') or diag($err);
like($out, qr/not modified since the last import: nothing to do/, '... says so');
is(version(), $v1, '... and imports nothing');
is(requests('/tiny.zip', 304), 1, '... after one 304');
($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', '--force', "$base/tiny.zip");
is($rc, 0, '--force: imported again') or diag($err);
is(version(), $v1 + 1, '... as a new version');

# changed: downloaded and imported
# (one more stop: a new size, so a new ETag even within the same second)
my $tiny = MTW::Test::tiny_gtfs();
$tiny->{'stops.txt'} .= "S9,Ninth,52.20,-106.70\n";
$t->write_zip("$dir/www/tiny.zip", $tiny);
($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', "$base/tiny.zip");
is($rc, 0, 'changed feed: imported') or diag($err);
is(version(), $v1 + 2, '... as a new version');

# the main URL failing: retried, then the fallback
($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', '--retries', '2',
    '--fallback', "$base/tiny.zip", "$base/down.zip");
is($rc, 0, '503 twice, then the fallback: exit 0') or diag($err);
like($err, qr{\Q$base\E/down\.zip failed, imported the fallback \Q$base\E/tiny\.zip}, '... saying so');
is(requests('/down.zip', 503), 2, '... after 2 attempts');
is(version(), $v1 + 3, '... imported');
is($t->psql("SELECT gtfs_fallback_url || ' ' || coalesce(gtfs_etag, 'none') FROM city
    WHERE slug = 'tiny'"), "$base/tiny.zip none",
   'the fallback is remembered; no validators from the fallback\'s copy');
# the remembered fallback serves a 404 main URL, which is not retried
($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', "$base/gone.zip");
is($rc, 0, '404, then the remembered fallback: exit 0') or diag($err);
is(requests('/gone.zip', 404), 1, '... a 404 is not retried');
$t->psql("UPDATE city SET gtfs_fallback_url = NULL");

($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', "$base/none.zip");
is($rc, 1, '404: exit 1');
like($err, qr{^mtw-worker gtfs-load: \Q$base\E/none\.zip: download failed: HTTP status 404\n\z},
    '404: one line');

my $closed = MTW::Test::free_port();
($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', '--retries', '2',
    "http://127.0.0.1:$closed/feed.zip");
is($rc, 1, 'closed port: exit 1');
like($err, qr{^mtw-worker gtfs-load: http://127\.0\.0\.1:$closed/feed\.zip: download failed: [^\n]+\n\z},
    'closed port: one line');

# the daemon's chores: the city's feed reloaded every MTW_GTFS_RELOAD_SEC
# (conditional: 304s, nothing imported while it is unchanged, imported
# once it changes), and the history pruned (MTW_RETENTION_DAYS)
($rc, $out, $err) = $t->worker(\%env, 'gtfs-load', '--city', 'tiny', "$base/tiny.zip");
is($rc, 0, 'loaded from its URL again') or diag($err);
my $v2 = version();
my $id = $t->psql("SELECT id FROM city WHERE slug = 'tiny'");
$t->psql("INSERT INTO arrival_log (city_id, service_date, route_id, trip_id,
    trip_start_time, stop_id, stop_sequence, vehicle_id, arrived_at, source)
    VALUES ($id, current_date - 40, 'R1', 'old', 28800, 'S1', 1, 'bus',
    now() - interval '40 days', 'test'), ($id, current_date, 'R1', 'new', 28800,
    'S1', 1, 'bus', now(), 'test')");
my $before = requests('/tiny.zip', 304);
$t->start_worker('run', { %env, MTW_CITY => 'tiny', MTW_GTFS_RELOAD_SEC => 1,
    MTW_RETENTION_DAYS => 30, MTW_VEHICLES_URL => "$base/no-feed.pb" }, 'run');
MTW::Test::wait_for('two conditional reloads', 20,
                    sub { requests('/tiny.zip', 304) >= $before + 2 });
is(version(), $v2, 'unchanged: nothing imported');
MTW::Test::wait_for('the old history pruned', 20, sub {
    $t->psql("SELECT count(*) FROM arrival_log WHERE trip_id = 'old'") == 0 });
is($t->psql("SELECT count(*) FROM arrival_log WHERE trip_id = 'new'"), 1,
   'recent history kept');
$tiny->{'stops.txt'} .= "S10,Tenth,52.22,-106.72\n";
$t->write_zip("$dir/www/tiny.zip", $tiny);
MTW::Test::wait_for('the changed feed imported', 20, sub { version() == $v2 + 1 });
pass('changed: imported by the next reload');
my ($rc_run) = $t->stop_worker('run');
is($rc_run, 0, 'worker stopped cleanly');
my $wlog = $t->worker_log('run');
like($wlog, qr/gtfs reload tiny: done/, 'the log says each reload finished');
like($wlog, qr/prune: done/, '... and the prune');
unlike($wlog, qr/gtfs reload tiny: failed|prune: failed/, 'neither failed');

my @left = glob("$dir/tmp/*");
is(scalar(@left), 0, 'no temporary file left behind') or diag("@left");

$t->done;
