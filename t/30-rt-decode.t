# `mtw-worker decode`: every GTFS-Realtime file in t/data decodes,
# and what it prints agrees with an independent wire-format reading of the
# same bytes (MTW::Pb): entity ids, kinds, stop-time updates, header time,
# positions; enums come out by name.  Bad input exits 1 saying why.
use strict;
use warnings;
use File::Find;
use JSON::PP;
use Test::More;
use Time::HiRes qw(sleep);
use MTW::Test;
use MTW::Pb;

my $t = MTW::Test->new;
my $data = [ $t->data_file('saskatoon/rt-2019-06-23', 'auckland/trip-updates-2014-11-30.pb') ];
my @files;
find(sub { push @files, $File::Find::name if /\.pb$/ }, MTW::Test::data_dir());
@files = sort @files;
cmp_ok(scalar @files, '>=', 240, 'found the realtime captures (' . @files . ' files)');

my $json = JSON::PP->new->utf8;
my (%kinds_seen, $enum_named);
for my $f (@files) {
    (my $name = $f) =~ s{.*/data/}{};
    my $bytes = MTW::Test::slurp($f);
    my $want = MTW::Pb::feed_summary($bytes);
    my ($rc, $out, $err) = $t->worker('decode', $f);
    is($rc, 0, "$name: decodes") or do { diag($err); next };
    my $doc = eval { $json->decode($out) };
    ok($doc, "$name: prints JSON") or next;
    my @ents = @{ $doc->{entity} || [] };
    my %got = (entities => scalar @ents,
               vehicles => scalar(grep { $_->{vehicle} } @ents),
               trips => scalar(grep { $_->{trip_update} } @ents),
               alerts => scalar(grep { $_->{alert} } @ents));
    my $stu = 0;
    $stu += scalar @{ $_->{trip_update}{stop_time_update} || [] } for grep { $_->{trip_update} } @ents;
    my $inf = 0;
    $inf += scalar @{ $_->{alert}{informed_entity} || [] } for grep { $_->{alert} } @ents;
    my $ok = 1;
    $ok &&= is($got{$_}, $want->{$_}, "$name: $_ count") for qw(entities vehicles trips alerts);
    $ok &&= is($stu, $want->{stop_time_updates}, "$name: stop_time_update count");
    $ok &&= is($inf, $want->{informed}, "$name: informed_entity count");
    $ok &&= is($doc->{header}{timestamp} // 0, $want->{ts}, "$name: header timestamp");
    $ok &&= is_deeply([ map { $_->{id} } @ents ], $want->{ids}, "$name: entity ids in order");
    if (my $fv = $want->{first_vehicle}) {
        my ($v) = grep { $_->{vehicle} && $_->{vehicle}{position} } @ents;
        ok(abs($v->{vehicle}{position}{latitude} - $fv->{lat}) < 1e-9
           && abs($v->{vehicle}{position}{longitude} - $fv->{lon}) < 1e-9,
           "$name: first position matches the wire");
        is($v->{vehicle}{vehicle}{id}, $fv->{vehicle_id}, "$name: vehicle id")
            if defined $fv->{vehicle_id};
        is($v->{vehicle}{timestamp}, $fv->{ts}, "$name: vehicle timestamp")
            if defined $fv->{ts};
    }
    $kinds_seen{$_} += $got{$_} for qw(vehicles trips alerts);
    $enum_named++ if $out =~ /"effect":"[A-Z_]+"/ || $out =~ /"schedule_relationship":"[A-Z_]+"/;
}
cmp_ok($kinds_seen{$_}, '>', 0, "some $_ decoded") for qw(vehicles trips alerts);
ok($enum_named, 'enums are printed by name');

# Sample fields checked by hand against the spec's field numbers.
my ($rc, $out) = $t->worker('decode', "$data->[0]/VehiclePosition1561298400.pb");
my $doc = $json->decode($out);
is($doc->{header}{gtfs_realtime_version}, '1.0', 'header version');
is($doc->{entity}[0]{id}, '606', 'first entity id');
is($doc->{entity}[0]{vehicle}{trip}{route_id}, '10650', 'route id');
is($doc->{entity}[0]{vehicle}{vehicle}{label}, '606', 'vehicle label');
is($doc->{entity}[0]{vehicle}{position}{bearing}, 225, 'bearing');

($rc, $out) = $t->worker('decode', "$data->[0]/Alerts1561298400.pb");
$doc = $json->decode($out);
my ($al) = map { $_->{alert} } grep { $_->{alert} } @{ $doc->{entity} };
is($al->{effect}, 'DETOUR', 'alert effect by name');
like($al->{header_text}{translation}[0]{text}, qr/Detour/, 'alert header text');
is($al->{header_text}{translation}[0]{language}, 'en', 'alert text language');

# The 2.5 MB Auckland feed: delays and times.
($rc, $out) = $t->worker('decode', $data->[1]);
$doc = $json->decode($out);
my ($with_delay) = grep { my $s = $_->{trip_update}{stop_time_update}[0];
                          $s && ($s->{arrival} || $s->{departure} || {})->{delay} } @{ $doc->{entity} };
ok($with_delay, 'Auckland: stop time events carry delay');

# --summary: the worker's own model (what run publishes).
($rc, $out) = $t->worker('decode', '--summary', "$data->[0]/TripUpdates1561298400.pb");
is($rc, 0, 'decode --summary exits 0');
$doc = $json->decode($out);
my $wire = MTW::Pb::feed_summary(MTW::Test::slurp("$data->[0]/TripUpdates1561298400.pb"));
is(scalar @{ $doc->{trips}{trips} }, $wire->{trips}, 'summary: trip count');
is($doc->{entities}, $wire->{entities}, 'summary: entity count');
ok((grep { $_->{arr} && defined $_->{arr}{time} } map { @{ $_->{stops} } } @{ $doc->{trips}{trips} }),
   'summary: stop events keep their times');

# Bad input: exit 1, one clear line, nothing on stdout.
my $dir = $t->dir;
MTW::Test::spew("$dir/empty.pb", '');
MTW::Test::spew("$dir/garbage.pb", join('', map { chr(($_ * 37 + 11) % 256) } 1 .. 4096));
MTW::Test::spew("$dir/truncated.pb", substr(MTW::Test::slurp("$data->[0]/TripUpdates1561298400.pb"), 0, 300));
for my $case ([ 'empty.pb', qr/empty body/ ], [ 'garbage.pb', qr/do not decode|header/ ],
              [ 'truncated.pb', qr/do not decode/ ], [ 'missing.pb', qr/cannot open/ ]) {
    my ($crc, $cout, $cerr) = $t->worker('decode', "$dir/$case->[0]");
    is($crc, 1, "$case->[0]: exit 1");
    like($cerr, $case->[1], "$case->[0]: says why");
    is($cout, '', "$case->[0]: prints nothing");
}

$t->done;
