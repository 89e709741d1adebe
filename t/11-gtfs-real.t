# gtfs-load on every valid real feed in t/data: exact row counts and
# values (counted independently of the loader), an idempotent re-import,
# cities side by side, history untouched by reloads.
use strict;
use warnings;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my %zip;
@zip{qw(saskatoon amtrak bullrunner google)} = $t->data_file(
    'saskatoon/gtfs-2025-06-29.zip', 'amtrak/gtfs-2021-10-06.zip',
    'bullrunner/gtfs.zip', 'google-sample/sample-feed-1.zip');

my @tables = @MTW::Test::GTFS_TABLES;

# Row counts per table and sums over stop_times, counted with a separate
# CSV reader (Python csv) from the same zips.
my %expect = (
    saskatoon => {
        tz => 'America/Regina',
        rows => [1, 7, 46, 46, 1355, 34067, 6140, 135613, 0, 19],
        arrival_sum => 7193034871, departure_sum => 7193088272,
        max_arrival => 90360, past_midnight => 2629, seq_sum => 1920617,
        direction_1 => 3061,
    },
    amtrak => {
        tz => 'America/New_York',
        rows => [19, 3181, 0, 64, 672, 0, 3181, 39729, 0, 672],
        arrival_sum => 2726306700, departure_sum => 2731810920,
        max_arrival => 312720, past_midnight => 6575, seq_sum => 394653,
        direction_1 => 1701,
    },
    bullrunner => {
        tz => 'America/New_York',
        rows => [1, 3, 0, 6, 125, 1522, 15, 473, 15, 0],
        arrival_sum => 13385345, departure_sum => 13385465,
        max_arrival => 54264, past_midnight => 0, seq_sum => 8164,
        direction_1 => 0,
    },
    google => {
        tz => 'America/Los_Angeles',
        rows => [1, 2, 1, 5, 9, 0, 11, 28, 11, 0],
        arrival_sum => 914520, departure_sum => 915900,
        max_arrival => 57600, past_midnight => 0, seq_sum => 57,
        direction_1 => 5,
    },
);

$t->start_postgres;
my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate') or diag($err);

sub city_id { $t->city_id(@_) }
sub fingerprint { $t->gtfs_fingerprint(@_) }

sub check_city {
    my ($city, $label) = @_;
    my $e = $expect{$city};
    my $id = city_id($city);
    ok($id, "$label: city row") or return;
    for my $i (0 .. $#tables) {
        is($t->psql("SELECT count(*) FROM $tables[$i] WHERE city_id = $id"),
            $e->{rows}[$i], "$label: $tables[$i] rows");
    }
    my ($asum, $dsum, $max, $late, $seq) = split /\|/, $t->psql(
        "SELECT sum(arrival_time), sum(departure_time), max(arrival_time), "
        . "count(*) FILTER (WHERE arrival_time >= 86400), sum(stop_sequence) "
        . "FROM stop_times WHERE city_id = $id");
    is($asum, $e->{arrival_sum}, "$label: arrival times (seconds) add up");
    is($dsum, $e->{departure_sum}, "$label: departure times add up");
    is($max, $e->{max_arrival}, "$label: latest arrival");
    is($late, $e->{past_midnight}, "$label: stop_times past 24:00");
    is($seq, $e->{seq_sum}, "$label: stop_sequence sum");
    is($t->psql("SELECT count(*) FROM trips WHERE city_id = $id AND direction_id = 1"),
        $e->{direction_1}, "$label: trips in direction 1");
    is($t->psql("SELECT timezone FROM city WHERE id = $id"), $e->{tz},
        "$label: time zone from agency.txt");
}

for my $city (qw(saskatoon amtrak bullrunner google)) {
    my @name = $city eq 'saskatoon' ? ('--name', 'Saskatoon') : ();
    ($rc, $out, $err) = $t->worker('gtfs-load', '--city', $city, @name, $zip{$city});
    is($rc, 0, "$city: gtfs-load exits 0") or diag($err);
    is($err, '', "$city: nothing on stderr");
    my $n = $expect{$city}{rows}[7];
    like($out, qr/^stop_times\.txt\s+$n rows\s+\d+ ms$/m, "$city: summary line for stop_times");
    like($out, qr/^city $city \(id \d+\): gtfs_version 1, \d+ rows in [\d.]+ s \(\d+ rows\/s\)$/m,
        "$city: summary totals");
    check_city($city, $city);
}

# Saskatoon's quirks, value by value
my $sk = city_id('saskatoon');
is($t->psql("SELECT name FROM city WHERE id = $sk"), 'Saskatoon', '--name is kept');
is($t->psql("SELECT agency_id = '' FROM agency WHERE city_id = $sk"), 't',
    'empty agency_id stored as empty');
# wheelchair_boarding: 1033 "1", 309 "0", 3 "0 " (padded), 10 empty
is($t->psql("SELECT count(*) FILTER (WHERE wheelchair_boarding = 0) || ',' || "
    . "count(*) FILTER (WHERE wheelchair_boarding IS NULL) FROM stops WHERE city_id = $sk"),
    '312,10', 'padded wheelchair_boarding values ("0 ") parsed, empty ones NULL');
is($t->psql("SELECT count(*) FROM stops WHERE city_id = $sk AND stop_name <> btrim(stop_name)"),
    0, 'no padded stop names');
my ($lat, $lon) = split /\|/, $t->psql("SELECT center_lat, center_lon FROM city WHERE id = $sk");
ok(abs($lat - 52.13) < 0.1 && abs($lon + 106.65) < 0.2, "city centre from the stops ($lat, $lon)");
is($t->psql("SELECT count(*) FROM calendar_dates WHERE city_id = $sk AND date = '2025-07-01'")
    > 0 ? 1 : 0, 1, 'calendar dates are dates (Canada Day exception)');
like($t->psql("SELECT rows->>'stop_times.txt' FROM gtfs_import WHERE city_id = $sk"),
    qr/^135613$/, 'gtfs_import records the rows');

# Amtrak: __MACOSX/ entries ignored, multi-day trips kept (86:52:00)
my $am = city_id('amtrak');
is($t->psql("SELECT max(departure_time) >= 86 * 3600 FROM stop_times WHERE city_id = $am"),
    't', 'amtrak: times up to 86 h kept');

# history rows for Saskatoon, which a reload must not touch
$t->psql(<<"SQL");
INSERT INTO arrival_log (city_id, service_date, route_id, trip_id,
    trip_start_time, stop_id, stop_sequence, vehicle_id, arrived_at, source)
VALUES ($sk, '2025-07-02', '14398', 'x', 36000, '4303', 1, 'bus-1', now(), 'test');
INSERT INTO route_performance_daily (city_id, route_id, service_date,
    observed_arrivals) VALUES ($sk, '14398', '2025-07-02', 10);
SQL

my %before = map { $_ => fingerprint(city_id($_)) } keys %expect;
($rc, $out, $err) = $t->worker('gtfs-load', '--city', 'saskatoon', $zip{saskatoon});
is($rc, 0, 're-import exits 0') or diag($err);
check_city('saskatoon', 're-import');
is(fingerprint($sk), $before{saskatoon}, 're-import: identical rows in every table');
is($t->psql("SELECT gtfs_version FROM city WHERE id = $sk"), 2, 're-import: gtfs_version 2');
is($t->psql("SELECT name FROM city WHERE id = $sk"), 'Saskatoon', 're-import keeps the name');
for my $city (qw(amtrak bullrunner google)) {
    is(fingerprint(city_id($city)), $before{$city}, "re-import: $city untouched");
}
is($t->psql("SELECT count(*) FROM arrival_log WHERE city_id = $sk"), 1,
    're-import: arrival_log kept');
is($t->psql("SELECT observed_arrivals FROM route_performance_daily WHERE city_id = $sk"),
    10, 're-import: route_performance_daily kept');
for my $table (@tables) {
    is($t->psql("SELECT count(*) FROM pg_inherits WHERE inhparent = '$table'::regclass"),
        4, "$table: one partition per city, the old one dropped");
}
is($t->psql('SELECT count(*) FROM gtfs_import'), 5, 'five imports recorded');

$t->done;
