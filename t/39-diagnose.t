#!/usr/bin/perl
# 39-diagnose.t - `mtw-worker diagnose` on real captures: the 2019
# Saskatoon VehiclePositions and TripUpdates against the 2025 static feed.
# The expected counts are worked out here from the decoded feeds and the
# tables, independently of the worker: every distinct route, trip and stop
# id the feeds name, and which of them the tables do not have.  Bad input
# (a file that is not a feed, no city) fails with a clear error.
use strict;
use warnings;
use lib 't/lib';
use JSON::PP;
use MTW::Test;
use Test::More;

my $t = MTW::Test->new;
my ($dir, $zip) = $t->data_file('saskatoon/rt-2019-06-23',
                                 'saskatoon/gtfs-2025-06-29.zip');
$t->start_postgres;
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'saskatoon', '--quiet', $zip);
is($rc, 0, 'gtfs-load') or diag($err);
my $city = $t->city_id('saskatoon');

my ($vp) = sort glob("$dir/VehiclePosition*.pb");
my ($tu) = sort glob("$dir/TripUpdates*.pb");

# the ids, from the worker's plain decoder
my (%ids, %nveh);
($rc, $out) = $t->worker('decode', $vp);
for my $e (@{ decode_json($out)->{entity} || [] }) {
    my $v = $e->{vehicle} or next;
    $nveh{n}++;
    $ids{routes}{ $v->{trip}{route_id} } = 1 if $v->{trip} && length($v->{trip}{route_id} // '');
    $ids{trips}{ $v->{trip}{trip_id} } = 1 if $v->{trip} && length($v->{trip}{trip_id} // '');
    $ids{stops}{ $v->{stop_id} } = 1 if length($v->{stop_id} // '');
}
($rc, $out) = $t->worker('decode', $tu);
for my $e (@{ decode_json($out)->{entity} || [] }) {
    my $u = $e->{trip_update} or next;
    $ids{routes}{ $u->{trip}{route_id} } = 1 if length($u->{trip}{route_id} // '');
    $ids{trips}{ $u->{trip}{trip_id} } = 1 if length($u->{trip}{trip_id} // '');
    $ids{stops}{ $_->{stop_id} } = 1 for grep { length($_->{stop_id} // '') }
        @{ $u->{stop_time_update} || [] };
}
my %table = (routes => 'route_id', trips => 'trip_id', stops => 'stop_id');
my %unknown;
for my $kind (keys %table) {
    my $col = $table{$kind};
    my %have = map { $_ => 1 } split /\n/,
        $t->psql("SELECT $col FROM $kind WHERE city_id = $city");
    $unknown{$kind} = [ sort grep { !$have{$_} } keys %{ $ids{$kind} } ];
}

($rc, $out, $err) = $t->worker({ MTW_CITY => 'saskatoon' }, 'diagnose',
    '--date', 'auto', '--vehicles', $vp, '--trips', $tu);
is($rc, 0, 'diagnose') or diag($err);
my $r = eval { decode_json($out) } || {};
diag(sprintf '%s: %d routes (%d unknown), %d trips (%d unknown), %d stops (%d unknown), '
    . '%d of %d vehicles matched', $r->{city} // '?', map({ @{ $r->{$_} }{qw(seen unknown)} }
    qw(routes trips stops)), $r->{vehicles_matched} // -1, $r->{vehicles} // -1);
is($r->{vehicles}, $nveh{n}, "$nveh{n} vehicles");
for my $kind (qw(routes trips stops)) {
    my $want = scalar keys %{ $ids{$kind} };
    my $nu = scalar @{ $unknown{$kind} };
    is($r->{$kind}{seen}, $want, "$kind: $want distinct ids");
    is($r->{$kind}{unknown}, $nu, "$kind: $nu not in the static feed");
    my $nex = $nu < 5 ? $nu : 5;
    is_deeply($r->{$kind}{examples}, [ @{ $unknown{$kind} }[0 .. $nex - 1] ],
              "$kind: the first $nex of them as examples");
}
# 2019 trips are not in the 2025 timetable: nothing matches
is($r->{trips}{unknown}, $r->{trips}{seen}, 'no 2019 trip id in the 2025 timetable');
is($r->{vehicles_matched}, 0, 'so no vehicle matched a scheduled trip');

# bad input: a clear error, exit 1
($rc, $out, $err) = $t->worker({ MTW_CITY => 'saskatoon' }, 'diagnose',
    '--vehicles', "$dir/../gtfs-2025-06-29.zip");
is($rc, 1, 'a zip is not a feed: exit 1');
like($err, qr/^mtw-worker diagnose: .*gtfs-2025-06-29\.zip: /m, '... saying which file');
($rc, $out, $err) = $t->worker({ MTW_CITY => 'nowhere' }, 'diagnose', '--vehicles', $vp);
is($rc, 1, 'no such city: exit 1');
like($err, qr/no city 'nowhere'/, '... saying so');
($rc, $out, $err) = $t->worker({ MTW_CITY => 'saskatoon', MTW_VEHICLES_URL => '',
    MTW_TRIPS_URL => '' }, 'diagnose');
is($rc, 2, 'no feed at all: usage error');

done_testing;
