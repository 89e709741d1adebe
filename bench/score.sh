#!/bin/sh
# bench/score.sh - CPU of one scoring tick (score + predictions + documents
# + publish to Redis in one MULTI/EXEC) on the Saskatoon schedule and on a
# x20 copy of it (../shared/tools/gtfs-scale), against the limits of issue
# 14: Saskatoon <= 5 ms CPU; x20 <= 100 ms CPU, <= 10 MB of documents
# written per tick and <= 150 MiB RSS; and of issue 12: arrival detection
# (from positions, every vehicle) <= 10 % of the tick; exits 1 when one is
# missed.  Two ways,
# medians of 9 ticks, real PostgreSQL and Redis started by the harness:
#  - `mtw-worker score`: a vehicle on every trip running at 08:00;
#  - the run loop itself: simulator frames (08:00 peak, 21:00 evening)
#    replayed through `mtw-worker run --replay` (decode, live state, the
#    scoring hook, one transaction); the hook's CPU from its debug line,
#    the whole worker's CPU per cycle and RSS from the replay summary.
set -e
cd "$(dirname "$0")/.."
exec perl -I t/lib - <<'PERL'
use strict;
use warnings;
use MTW::Test;
use Test::More;

my $t = MTW::Test->new;
my $data = $t->data_dir;
my $zip = "$data/saskatoon/gtfs-2025-06-29.zip";
if (!-e $zip) {
    print "bench/score.sh: $zip is absent, skipped\n";
    exit 0;
}
my $scale = $t->root . '/../shared/tools/gtfs-scale';
$t->start_postgres;
$t->start_redis;
my ($rc, $out, $err) = $t->worker('migrate');
die "migrate: $err" if $rc;

sub run_city {
    my ($city, $file, $at) = @_;
    my ($rc, $out, $err) = $t->worker('gtfs-load', '--city', $city, '--quiet', $file);
    die "gtfs-load $city: $err" if $rc;
    # a load leaves PostgreSQL autovacuum work (the x20 stop times) that
    # would otherwise run beside the timed ticks on this 2-core machine
    # (they took 1.6 times as long): done and written out first
    $t->psql('VACUUM ANALYZE');
    $t->psql('CHECKPOINT');
    ($rc, $out, $err) = $t->worker('score', '--city', $city, '--date',
        '2025-07-02', '--at', $at, '--repeat', '9', '--publish');
    die "score $city: $err" if $rc;
    my %r;
    ($r{vehicles}) = $out =~ /(\d+) vehicles/;
    ($r{preds}) = $out =~ /(\d+) predictions/;
    ($r{docs}, $r{kib}) = $out =~ /documents: (\d+), ([\d.]+) KiB/;
    ($r{tick}, $r{docs_ms}, $r{pub}, $r{total}) =
        $out =~ /score\+predict ([\d.]+), documents ([\d.]+), publish ([\d.]+), total ([\d.]+)/;
    ($r{rss}) = $out =~ /max rss: ([\d.]+) MiB/;
    ($r{narr}, $r{arr}) = $out =~ /arrival detection \(positions 30 s apart\): (\d+) arrivals, cpu ms ([\d.]+)/;
    ($r{load}) = $out =~ /loaded in ([\d.]+) ms/;
    return \%r;
}

my @missed;
sub limit {
    my ($what, $value, $limit) = @_;
    push @missed, sprintf('%s %.1f > %s', $what, $value, $limit) if $value > $limit;
}

sub report {
    my ($name, $r, $cpu_limit, $rss_limit) = @_;
    limit("$name tick CPU ms", $r->{total}, $cpu_limit);
    limit("$name RSS MiB", $r->{rss}, $rss_limit) if $rss_limit;
    # issue 12: detecting arrivals adds at most 10 % to the tick
    limit("$name arrival detection / tick", $r->{arr} / $r->{total}, 0.10);
    printf "%-14s arrival detection %.2f ms CPU for %d arrivals from positions 30 s"
        . " apart: %.1f %% of the tick (limit 10 %%)\n", '', $r->{arr}, $r->{narr},
        100 * $r->{arr} / $r->{total};
    printf "%-14s %4d vehicles %6d predictions %5d docs %8.0f KiB\n",
        $name, $r->{vehicles}, $r->{preds}, $r->{docs}, $r->{kib};
    printf "%-14s tick CPU ms: score+predict %.2f, documents %.2f, publish %.2f, total %.2f"
        . " (limit %d ms: ratio %.2f)\n", '', $r->{tick}, $r->{docs_ms}, $r->{pub},
        $r->{total}, $cpu_limit, $r->{total} / $cpu_limit;
    printf "%-14s max RSS %.1f MiB%s; schedule load %.0f ms CPU (once per day)\n", '',
        $r->{rss}, $rss_limit ? sprintf(' (limit %d MiB: ratio %.2f)', $rss_limit,
        $r->{rss} / $rss_limit) : '', $r->{load};
}

# the run loop on simulator frames 40 s apart (so that every cycle is a
# full score tick, MTW_SCORE_SEC = 30): returns the hook's median CPU over
# cycles 2..9 (the first one also loads the schedule) and the replay summary
sub run_loop {
    my ($city, $file, $at) = @_;
    my $dir = $t->dir . "/frames-$city-$at";
    $dir =~ s/://g;
    mkdir $dir;
    mkdir "$dir/rep";
    my ($h, $m) = split /:/, $at;
    for my $k (0 .. 8) {
        my $sec = $h * 3600 + $m * 60 + 40 * $k;
        my $start = sprintf '%02d:%02d:%02d', $sec / 3600, ($sec / 60) % 60, $sec % 60;
        my ($rc, $out, $err) = $t->worker('simulate', '--gtfs', $file, '--out', $dir,
            '--once', '--date', '2025-07-02', '--clock', 'feed', '--start', $start);
        die "simulate: $err" if $rc;
        my ($ts) = $out =~ /"ts":(\d+)/;
        my %name = (VehiclePositions => 'VehiclePosition', TripUpdates => 'TripUpdates',
                    Alerts => 'Alerts');
        for my $f (keys %name) {
            rename "$dir/$f.pb", "$dir/rep/$name{$f}$ts.pb" or die "rename: $!";
        }
    }
    my ($rc, $out, $err) = $t->worker({ MTW_CITY => $city, MTW_CLOCK => 'feed',
        MTW_SERVICE_DATE => '2025-07-02', MTW_LOG_LEVEL => 'debug' },
        'run', '--replay', "$dir/rep");
    die "run --replay $city: $err" if $rc;
    my @all = $err =~ /total ([\d.]+)\n/g;
    shift @all;
    my @hook = sort { $a <=> $b } @all;
    # the hook's scoring and predictions alone: between runs of one build,
    # how fast this VM runs in this run (it moves by half from run to run)
    my @tick = $err =~ /CPU ms: live state [\d.]+, tick ([\d.]+),/g;
    shift @tick;
    @tick = sort { $a <=> $b } @tick;
    my @lines = $err =~ /(scored \S+: .*)\n/g;
    my ($veh, $preds, $docs, $kib) = $lines[-1] =~
        /(\d+) vehicles, \d+ route-directions, (\d+) predictions, (\d+) documents \((\d+) KiB\)/;
    my ($cycle) = $out =~ /"cpu_ms_per_cycle":([\d.]+)/;
    my ($rss) = $out =~ /"rss_kb_end":(\d+)/;
    return { hook => $hook[$#hook / 2], tick => $tick[$#tick / 2],
             vehicles => $veh, preds => $preds,
             docs => $docs, kib => $kib, cycle => $cycle, rss => $rss / 1024 };
}

sub report_loop {
    my ($name, $at, $r, $cpu_limit, $rss_limit) = @_;
    limit("$name at $at hook CPU ms", $r->{hook}, $cpu_limit);
    limit("$name at $at RSS MiB", $r->{rss}, $rss_limit) if $rss_limit;
    limit("$name at $at MB written per tick", $r->{kib} / 1024, 10) if $rss_limit;
    printf "%-14s run loop, simulator at %s: %4d vehicles %6d predictions %5d docs %6d KiB\n",
        $name, $at, $r->{vehicles}, $r->{preds}, $r->{docs}, $r->{kib};
    printf "%-14s scoring hook CPU %.2f ms (limit %d ms: ratio %.2f; of it scoring and"
        . " predictions %.1f ms: between runs of one build, this VM's speed);"
        . " whole worker %.1f ms"
        . " per cycle (decode + live state + hook, first cycle's schedule load"
        . " averaged in); RSS %.1f MiB%s\n", '', $r->{hook}, $cpu_limit,
        $r->{hook} / $cpu_limit, $r->{tick} // 0, $r->{cycle}, $r->{rss},
        $rss_limit ? sprintf(' (limit %d MiB: ratio %.2f)', $rss_limit,
                             $r->{rss} / $rss_limit) : '';
}

my $sk = run_city('saskatoon', $zip, '08:00');
report('saskatoon', $sk, 5, 0);
report_loop('saskatoon', '08:00', run_loop('saskatoon', $zip, '08:00'), 5, 0);
if (-x $scale || -e $scale) {
    my $x20 = $t->dir . '/saskatoon-x20.zip';
    system('python3', $scale, $zip, $x20, '20') == 0 or die "gtfs-scale failed\n";
    # gtfs-scale copies the feed's one agency with its empty agency_id 20
    # times, which gtfs-load rightly rejects as duplicate ids: keep one
    system('python3', '-c', <<'PY', $x20) == 0 or die "agency fix failed\n";
import sys, zipfile
p = sys.argv[1]
src = zipfile.ZipFile(p)
files = {n: src.read(n) for n in src.namelist()}
src.close()
lines = files['agency.txt'].decode('utf-8-sig').splitlines()
files['agency.txt'] = ('\n'.join(lines[:2]) + '\n').encode()
with zipfile.ZipFile(p, 'w', zipfile.ZIP_DEFLATED) as out:
    for n, b in files.items():
        out.writestr(n, b)
PY
    my $r = run_city('saskatoon-x20', $x20, '08:00');
    report('saskatoon x20', $r, 100, 150);
    for my $at ('08:00', '21:00') {
        report_loop('saskatoon x20', $at, run_loop('saskatoon-x20', $x20, $at), 100, 150);
    }
}
$t->stop_all;
$t->{done} = 1;
if (@missed) {
    print "bench/score: limits missed: ", join('; ', @missed), "\n";
    exit 1;
}
print "bench/score: all limits met\n";
PERL
