# The worker's command line: help, unknown commands and flags.
use strict;
use warnings;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;

my ($rc, $out, $err) = $t->worker('--help');
is($rc, 0, '--help exits 0');
for my $cmd (qw(migrate gtfs-load run simulate decode prune)) {
    like($out, qr/^\s+\Q$cmd\E\s/m, "--help lists $cmd");
    my ($crc, $cout) = $t->worker($cmd, '--help');
    is($crc, 0, "$cmd --help exits 0");
    like($cout, qr/^usage: mtw-worker \Q$cmd\E/, "$cmd --help shows usage");
}

# [args, expected stderr] - each a one-line error with status 2
my @usage_errors = (
    [ [],                               qr/missing command/ ],
    [ ['frobnicate'],                   qr/unknown command 'frobnicate'/ ],
    [ ['migrate', '--bogus'],           qr/unknown option '--bogus'/ ],
    [ ['run', '--nope'],                qr/unknown option '--nope'/ ],
    [ ['prune', '--days'],              qr/option '--days' needs a value/ ],
    [ ['prune', '--days', 'x'],         qr/--days must be a whole number/ ],
    [ ['gtfs-load', 'feed.zip'],        qr/--city SLUG is required/ ],
    [ ['decode'],                       qr/exactly one FILE\.pb/ ],
    [ ['simulate', '--out', '/tmp/x'],  qr/--gtfs FILE\.zip and --out DIR/ ],
);
for my $case (@usage_errors) {
    my ($args, $want) = @$case;
    my ($crc, $cout, $cerr) = $t->worker(@$args);
    my $name = "mtw-worker @$args";
    is($crc, 2, "$name: exit 2");
    like($cerr, $want, "$name: says why");
    is(scalar(() = $cerr =~ /\n/g), 1, "$name: one line");
}

($rc, $out, $err) = $t->worker({ MTW_POLL_SEC => 'soon' }, 'run');
is($rc, 2, 'bad MTW_POLL_SEC: exit 2');
like($err, qr/MTW_POLL_SEC must be a whole number/, 'bad MTW_POLL_SEC: says why');

$t->done;
