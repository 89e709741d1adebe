# The broken real feeds in t/data/bad fail with a clear one-line
# error and leave the previously imported Saskatoon schedule intact.
use strict;
use warnings;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my ($good, $truncated, $broken) = $t->data_file(
    'saskatoon/gtfs-2025-06-29.zip', 'bad/saskatoon-truncated-stop-times.zip',
    'bad/badgtfs.zip');

$t->start_postgres;
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
# on a terminal (a pty from script(1)) a progress line is drawn on stderr
SKIP: {
    skip 'script(1) is not installed: progress line not checked', 3
        unless -x '/usr/bin/script';
    my $cmd = join ' ', map { "'$_'" } $t->worker_bin, 'gtfs-load', '--city',
        'saskatoon', $good;
    ($rc, $out, $err) = $t->run_cmd($t->worker_env, '/usr/bin/script', '-qec', $cmd,
        '/dev/null');
    is($rc, 0, 'good Saskatoon feed imports (on a terminal)') or diag($out, $err);
    like($out, qr/\rstop_times\.txt +\d+%  \d+ rows/, 'progress line while reading stop_times');
    like($out, qr/\r\e\[K/, 'progress line erased when the file is done');
}
if (!-x '/usr/bin/script') {
    ($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'saskatoon', '--quiet', $good);
    is($rc, 0, 'good Saskatoon feed imports') or diag($err);
}

sub fingerprint { $t->gtfs_fingerprint($t->city_id('saskatoon')) }
my $before = fingerprint();
like($before, qr/(^|,)135613:/, 'stop_times loaded');

my @cases = (
    [ 'truncated stop_times (465 of ~135k rows)', $truncated,
      qr/^mtw-worker gtfs-load: trips\.txt:\d+: column trip_id: trip '\w+' has no stop times in stop_times\.txt \(6101 of 6131 trips have none: stop_times\.txt truncated\?\)\n\z/ ],
    [ 'zip of misnamed files', $broken,
      qr/^mtw-worker gtfs-load: agency\.txt: required file missing from the feed\n\z/ ],
);
for my $case (@cases) {
    my ($name, $zip, $want) = @$case;
    ($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'saskatoon', $zip);
    is($rc, 1, "$name: exit 1");
    like($err, $want, "$name: one clear line");
    is(fingerprint(), $before, "$name: previous Saskatoon data intact");
}
is($t->psql("SELECT gtfs_version FROM city WHERE slug = 'saskatoon'"), 1,
    'gtfs_version unchanged');

$t->done;
