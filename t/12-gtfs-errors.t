# gtfs-load on feeds the test builds: every CSV quirk real feeds have in
# one zip, then broken feeds, each failing with a one-line error naming the
# file, line and column, and leaving the city's previous data exactly as
# it was.
use strict;
use warnings;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my $dir = $t->dir;
$t->start_postgres;
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);

my @tables = @MTW::Test::GTFS_TABLES;
sub city_id { $t->city_id(@_) }
sub fingerprint { $t->gtfs_fingerprint(@_) }

# --- every quirk at once ------------------------------------------------------

my %edge = (
    # folder prefix, BOM, CRLF, columns in another order, an unknown column,
    # quoted field with a comma and doubled quotes
    'feed/agency.txt' => "\xEF\xBB\xBFagency_timezone,agency_name,agency_url,agency_id,"
        . "x_unknown\r\nAmerica/Regina,\"Edge, \"\"Quoted\"\" Transit\","
        . "https://edge.example,E,zz\r\n",
    # no calendar.txt: calendar_dates.txt alone defines the service
    'feed/calendar_dates.txt' => "service_id,date,exception_type\n"
        . "SAT,20250705,1\nSAT,20250712,1\n",
    # more fields than the header (ignored), padded header names
    'feed/routes.txt' => " route_id , route_type ,agency_id\nR1,3,E,surplus,more\n",
    # padded values, a quoted line break, a short (ragged) row, blank lines
    'feed/stops.txt' => "stop_id,stop_name,stop_lat,stop_lon,wheelchair_boarding\n"
        . "  S1 , First ,52.1,-106.6,0 \n"
        . "S2,\"Two\nLines\",52.2,-106.7\n\n"
        . "S3,Third,52.3,-106.8,1\n\n",
    'feed/trips.txt' => "route_id,service_id,trip_id\nR1,SAT,T1\n",
    # space-padded hour, one-digit hour, hours past 24, no final newline
    'feed/stop_times.txt' => "trip_id,stop_sequence,stop_id,arrival_time,departure_time\n"
        . "T1,1,S1, 9:46:00, 9:46:00\n"
        . "T1,2,S2,9:50:30,9:51:00\n"
        . "T1,3,S3,25:06:00,25:06:00",
    # macOS resource forks with the same names must be ignored
    '__MACOSX/feed/._stops.txt' => "\x00\x05\x16\x07 not a csv",
    '__MACOSX/feed/._trips.txt' => "junk",
);
my $edge_zip = $t->write_zip("$dir/edge.zip", \%edge);
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'edge', $edge_zip);
is($rc, 0, 'quirky feed imports') or diag($err);
my $edge = city_id('edge');
is($t->psql("SELECT agency_name FROM agency WHERE city_id = $edge"),
    'Edge, "Quoted" Transit', 'quoted comma and doubled quotes');
is($t->psql("SELECT name FROM city WHERE id = $edge"), 'Edge, "Quoted" Transit',
    'a new city is named after its agency');
is($t->psql("SELECT stop_id || '|' || stop_name || '|' || wheelchair_boarding "
    . "FROM stops WHERE city_id = $edge AND stop_lat = 52.1"), 'S1|First|0',
    'padded fields trimmed');
is($t->psql("SELECT stop_name FROM stops WHERE city_id = $edge AND stop_id = 'S2'"),
    "Two\nLines", 'quoted line break kept');
is($t->psql("SELECT wheelchair_boarding IS NULL FROM stops WHERE city_id = $edge AND stop_id = 'S2'"),
    't', 'missing trailing field is NULL');
is($t->psql("SELECT count(*) FROM stops WHERE city_id = $edge"), 3, 'blank lines skipped');
is($t->psql("SELECT route_type FROM routes WHERE city_id = $edge"), 3,
    'extra fields ignored, padded header names found');
is($t->psql("SELECT string_agg(arrival_time::text || '/' || departure_time, ' ' "
    . "ORDER BY stop_sequence) FROM stop_times WHERE city_id = $edge"),
    '35160/35160 35430/35460 90360/90360', 'times: padded hour, H:MM:SS, past 24:00');
is($t->psql("SELECT count(*) FROM calendar_dates WHERE city_id = $edge"), 2,
    'calendar_dates without calendar.txt');

# --- broken feeds -------------------------------------------------------------

my $tiny = $t->write_zip("$dir/tiny.zip", MTW::Test::tiny_gtfs());
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'tiny', $tiny);
is($rc, 0, 'tiny feed imports') or diag($err);
my $tid = city_id('tiny');
is($t->psql("SELECT count(*) FROM stop_times WHERE city_id = $tid"), 6, 'tiny: 6 stop_times');
is($t->psql("SELECT max(arrival_time) FROM stop_times WHERE city_id = $tid"), 90000,
    'tiny: 25:00:00 is 90000 s');
my $good = fingerprint($tid);
my %good_edge = (edge => fingerprint($edge));

# tiny_gtfs with some files replaced (undef removes a file)
sub variant {
    my (%change) = @_;
    my $files = MTW::Test::tiny_gtfs();
    for my $f (keys %change) {
        if (defined $change{$f}) { $files->{$f} = $change{$f} } else { delete $files->{$f} }
    }
    return $files;
}
my $tf = MTW::Test::tiny_gtfs();
my $half_zip = substr(MTW::Test::slurp($tiny), 0, int((-s $tiny) / 2));
my $st = $tf->{'stop_times.txt'};
my $stops = $tf->{'stops.txt'};

# [name, zip content (files hash) or raw bytes (scalar ref), expected error]
my @cases = (
    [ 'not a zip', \"route_id,route_type\nR1,3\n", qr/bad\.zip: not a zip archive \(or truncated\)/ ],
    [ 'empty file', \'', qr/bad\.zip: not a zip archive \(or truncated\)/ ],
    [ 'truncated zip', \$half_zip,
      qr/bad\.zip: not a zip archive \(or truncated\)/ ],
    [ 'missing stops.txt', variant('stops.txt' => undef),
      qr/stops\.txt: required file missing from the feed/ ],
    [ 'no calendar at all', variant('calendar.txt' => undef),
      qr/calendar\.txt: required file missing from the feed/ ],
    [ 'empty stops.txt', variant('stops.txt' => ''),
      qr/stops\.txt:1: empty file \(no header line\)/ ],
    [ 'missing column', variant('stops.txt' => "stop_id,stop_name,stop_lon\nS1,a,-106\n"),
      qr/stops\.txt:1: missing required column stop_lat/ ],
    [ 'unparsable time', variant('stop_times.txt' => $st =~ s/08:05:00/8:5:00/r),
      qr/stop_times\.txt:3: column arrival_time: not a time H:MM:SS '8:5:00'/ ],
    [ 'minutes out of range', variant('stop_times.txt' => $st =~ s/08:05:30/08:65:30/r),
      qr/stop_times\.txt:3: column departure_time: not a time H:MM:SS '08:65:30'/ ],
    [ 'unparsable coordinate', variant('stops.txt' => $stops =~ s/52\.12/52.1x/r),
      qr/stops\.txt:3: column stop_lat: not a number from -90 to 90 '52\.1x'/ ],
    [ 'coordinate out of range', variant('stops.txt' => $stops =~ s/-106\.64/-206.64/r),
      qr/stops\.txt:4: column stop_lon: not a number from -180 to 180 '-206\.64'/ ],
    [ 'missing coordinate', variant('stops.txt' => $stops =~ s/52\.10//r),
      qr/stops\.txt:2: column stop_lat: required for location_type 0-2, empty/ ],
    [ 'duplicate stop_id', variant('stops.txt' => $stops . "S2,Again,52.2,-106.6\n"),
      qr/stops\.txt:5: column stop_id: duplicate id 'S2' \(first on line 3\)/ ],
    [ 'duplicate trip_id', variant('trips.txt' => "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T1\n"),
      qr/trips\.txt:3: column trip_id: duplicate id 'T1' \(first on line 2\)/ ],
    [ 'stop_time of an unknown trip', variant('stop_times.txt' => $st . "T9,09:00:00,09:00:00,S1,1\n"),
      qr/stop_times\.txt:8: column trip_id: unknown trip 'T9' \(not in trips\.txt\)/ ],
    [ 'stop_time at an unknown stop', variant('stop_times.txt' => $st =~ s/,S2,2/,S9,2/r),
      qr/stop_times\.txt:3: column stop_id: unknown stop 'S9' \(not in stops\.txt\)/ ],
    [ 'duplicate stop_sequence', variant('stop_times.txt' => $st =~ s/S2,2/S2,1/r),
      qr/stop_times\.txt:3: column stop_sequence: duplicate stop_sequence 1 for 'T1'/ ],
    [ 'duplicate stop_sequence, trip split', variant('stop_times.txt' => $st . "T1,09:00:00,09:00:00,S1,3\n"),
      qr/stop_times\.txt: the database refused the rows: could not create unique index .*\(Key \(city_id, trip_id, stop_sequence\)=\(\d+, T1, 3\) is duplicated\.\)/ ],
    [ 'trip of an unknown route', variant('trips.txt' => "route_id,service_id,trip_id\nR7,WK,T1\nR1,WK,T2\n"),
      qr/trips\.txt:2: column route_id: unknown route 'R7' \(not in routes\.txt\)/ ],
    [ 'trip of an unknown service', variant('trips.txt' => "route_id,service_id,trip_id\nR1,WK,T1\nR1,SUN,T2\n"),
      qr/trips\.txt:3: column service_id: unknown service 'SUN' \(not in calendar\.txt or calendar_dates\.txt\)/ ],
    [ 'trip without stop_times', variant('trips.txt' => "route_id,service_id,trip_id\nR1,WK,T1\nR1,WK,T2\nR1,WK,T3\n"),
      qr/trips\.txt:4: column trip_id: trip 'T3' has no stop times in stop_times\.txt \(1 of 3 trips have none/ ],
    [ 'unterminated quote', variant('stops.txt' => $stops =~ s/Second/"Second/r),
      qr/stops\.txt:3: quoted field never closed/ ],
    [ 'invalid UTF-8', variant('stops.txt' => $stops =~ s/Second/Caf\xE9/r),
      qr/stops\.txt:3: column stop_name: not valid UTF-8 'Caf.'/ ],
    [ 'bad date', variant('calendar.txt' => $tf->{'calendar.txt'} =~ s/20250101/2025-01-01/r),
      qr/calendar\.txt:2: column start_date: not a date YYYYMMDD '2025-01-01'/ ],
    [ 'empty required value', variant('routes.txt' => "route_id,route_type\nR1,\n"),
      qr/routes\.txt:2: column route_type: value required, empty/ ],
    [ 'unknown route_type', variant('routes.txt' => "route_id,route_type\nR1,99\n"),
      qr/routes\.txt:2: column route_type: not a GTFS route type '99'/ ],
    [ 'bad direction_id', variant('trips.txt' => "route_id,service_id,trip_id,direction_id\nR1,WK,T1,2\nR1,WK,T2,0\n"),
      qr/trips\.txt:2: column direction_id: not a whole number from 0 to 1 '2'/ ],
    [ 'unknown agency time zone', variant('agency.txt' => "agency_name,agency_url,agency_timezone\nX,http://x,Mars/Base\n"),
      qr/agency\.txt:2: column agency_timezone: unknown time zone 'Mars\/Base'/ ],
    # a hostile feed: lines of empty fields (each one a NUL in the record
    # buffer, once written past it)
    [ '200,000 empty fields', variant('agency.txt' => "agency_name,agency_url,agency_timezone\n"
        . (',' x 200_000) . "\n"),
      qr/agency\.txt:2: column agency_timezone: unknown time zone ''/ ],
    [ '2,000,000 empty fields', variant('agency.txt' => "agency_name,agency_url,agency_timezone\n"
        . (',' x 2_000_000) . "\n"),
      qr/agency\.txt:2: record longer than 1048576 bytes/ ],
    # a zip bomb: 48 MiB of blank lines deflate about 1000 to 1
    [ 'zip bomb', variant('stops.txt' => $stops . ("\n" x (48 << 20))),
      qr/stops\.txt.*inflates more than 200 times its compressed size \(\d+ bytes\): refused as a zip bomb/ ],
    [ 'unknown parent station', variant('stops.txt' => "stop_id,stop_name,stop_lat,stop_lon,parent_station\n"
        . "S1,a,52,-106,P1\nS2,b,52,-106,\nS3,c,52,-106,\n"),
      qr/stops\.txt:2: column parent_station: unknown stop 'P1' \(not in stops\.txt\)/ ],
    [ 'bad frequency', variant('frequencies.txt' => "trip_id,start_time,end_time,headway_secs\nT1,08:00:00,07:00:00,600\n"),
      qr/frequencies\.txt:2: column end_time: not after start_time '07:00:00'/ ],
);

for my $case (@cases) {
    my ($name, $content, $want) = @$case;
    my $zip = "$dir/bad.zip";
    if (ref $content eq 'SCALAR') {
        MTW::Test::spew($zip, $$content);
    } else {
        unlink $zip;
        $t->write_zip($zip, $content);
    }
    ($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'tiny', $zip);
    is($rc, 1, "$name: exit 1");
    like($err, qr/\Amtw-worker gtfs-load: [^\n]*\n\z/, "$name: one line on stderr");
    like($err, $want, "$name: says which file, line and column");
    is(fingerprint($tid), $good, "$name: the city's data is unchanged");
}
is($t->psql("SELECT gtfs_version FROM city WHERE id = $tid"), 1, 'failed imports left gtfs_version');
is($t->psql("SELECT count(*) FROM gtfs_import WHERE city_id = $tid"), 1, 'failed imports not recorded');
is($t->psql("SELECT count(*) FROM pg_class WHERE relname ~ '_c[0-9]+_v[0-9]+\$' AND relkind = 'r'"),
    2 * @tables, 'no partition left behind by a failed import');
is(fingerprint($edge), $good_edge{edge}, 'the other city is untouched');

($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'tiny', '--tz', 'Mars/Base', $tiny);
is($rc, 1, 'unknown --tz: exit 1');
like($err, qr/^mtw-worker gtfs-load: --tz: unknown time zone 'Mars\/Base'\n\z/, 'unknown --tz: says so');
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'Bad_Slug', $tiny);
is($rc, 2, 'bad slug: usage error');
like($err, qr/--city 'Bad_Slug' is not a valid slug/, 'bad slug: says so');
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'tiny', "$dir/absent.zip");
is($rc, 1, 'absent file: exit 1');
like($err, qr/absent\.zip: cannot open zip: No such file/, 'absent file: says so');

# --tz and --name override; the update keeps the data consistent
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'tiny', '--tz', 'America/Winnipeg',
    '--name', 'Tiny Town', '--quiet', $tiny);
is($rc, 0, '--tz/--name import') or diag($err);
is($out, '', '--quiet prints nothing');
is($t->psql("SELECT name || '|' || timezone || '|' || gtfs_version FROM city WHERE id = $tid"),
    'Tiny Town|America/Winnipeg|2', '--name and --tz stored');
is(fingerprint($tid), $good, 'same feed, same rows');

# imports at the same time: the same city twice (the second waits for the
# first and replaces it) and a third city beside them
$t->start_worker('race1', 'gtfs-load', '--city', 'race', '--quiet', $tiny);
$t->start_worker('race2', 'gtfs-load', '--city', 'race', '--quiet', $tiny);
$t->start_worker('race3', 'gtfs-load', '--city', 'race-b', '--quiet', $edge_zip);
is($t->wait_worker("race$_", 60), 0, "concurrent import $_ exits 0") for 1 .. 3;
my $race = city_id('race');
is($t->psql("SELECT gtfs_version FROM city WHERE id = $race"), 2,
    'same city imported twice: version 2');
is($t->psql("SELECT count(*) FROM stop_times WHERE city_id = $race"), 6,
    'same city imported twice: rows once');
is($t->psql("SELECT count(*) FROM stop_times WHERE city_id = " . city_id('race-b')), 3,
    'the other city imported beside it');
for my $table (@tables) {
    is($t->psql("SELECT count(*) FROM pg_inherits WHERE inhparent = '$table'::regclass"),
        4, "$table: one partition for each of the 4 cities");
}
is(fingerprint($tid), $good, 'the first city is still untouched');

# a database without the schema
$t->psql('CREATE DATABASE bare');
(my $bare = $t->database_url) =~ s{/mtw$}{/bare};
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'tiny', '--database', $bare, $tiny);
is($rc, 1, 'unmigrated database: exit 1');
like($err, qr/no GTFS tables: run 'mtw-worker migrate' first/, 'unmigrated database: says what to do');

$t->done;
