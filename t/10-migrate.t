# `mtw-worker migrate` on a fresh cluster: every table, idempotent re-runs,
# concurrent runs, a failing migration rolled back, the column names other
# parts of the worker rely on; the application's least-privilege role
# (MTW_DATABASE_APP_USER): DML only, its password never sent in clear.
use strict;
use warnings;
use Test::More;
use MTW::Test;

my $t = MTW::Test->new;
my $url = $t->start_postgres;

my ($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'migrate exits 0') or diag($err);
like($out, qr/^applied 0001_gtfs \(\d+ ms\)$/m, 'applies 0001_gtfs');
like($out, qr/^applied 0002_history \(\d+ ms\)$/m, 'applies 0002_history');
like($out, qr/^applied 0003_gtfs_reload \(\d+ ms\)$/m, 'applies 0003_gtfs_reload');
like($out, qr/^applied 0004_headway_index \(\d+ ms\)$/m, 'applies 0004_headway_index');
like($out, qr/^applied 0005_service_exception \(\d+ ms\)$/m, 'applies 0005_service_exception');
like($out, qr/^applied 0006_headway_covering \(\d+ ms\)$/m, 'applies 0006_headway_covering');
like($out, qr/6 migrations, 6 applied now/, 'says how many');
is($t->psql("SELECT string_agg(version, ',' ORDER BY version) FROM schema_migrations"),
    '0001_gtfs,0002_history,0003_gtfs_reload,0004_headway_index,0005_service_exception,'
    . '0006_headway_covering',
    'schema_migrations records all six');

my @gtfs = qw(agency routes stops trips stop_times calendar calendar_dates
              shapes frequencies transfers);
my @plain = qw(city gtfs_import arrival_log route_performance_daily
               bunching_incident weather_observation feedback_archive);
for my $table (@gtfs) {
    is($t->psql("SELECT relkind FROM pg_class WHERE relname = '$table'"), 'p',
        "$table is partitioned by city");
    is($t->psql("SELECT pg_get_partkeydef('$table'::regclass)"), 'LIST (city_id)',
        "$table partition key is city_id");
}
for my $table (@plain) {
    is($t->psql("SELECT relkind FROM pg_class WHERE relname = '$table'"), 'r',
        "$table exists");
}

# the columns the scoring and history code read, with their types
my %columns = (
    stop_times => 'city_id:integer trip_id:text stop_sequence:integer '
        . 'stop_id:text arrival_time:integer departure_time:integer '
        . 'shape_dist_traveled:double precision timepoint:smallint',
    trips => 'city_id:integer trip_id:text route_id:text service_id:text '
        . 'direction_id:smallint shape_id:text block_id:text',
    calendar_dates => 'service_id:text date:date exception_type:smallint',
    calendar => 'service_id:text monday:smallint start_date:date end_date:date',
    city => 'id:integer slug:text timezone:text center_lat:double precision '
        . 'center_lon:double precision gtfs_version:integer '
        . 'gtfs_loaded_at:timestamp with time zone gtfs_etag:text '
        . 'gtfs_last_modified:text gtfs_fallback_url:text',
    arrival_log => 'city_id:integer route_id:text stop_id:text trip_id:text '
        . 'vehicle_id:text arrived_at:timestamp with time zone',
    service_exception => 'city_id:integer service_date:date route_id:text '
        . 'trip_id:text trip_start_time:integer kind:text stop_id:text '
        . 'stop_sequence:integer reported_at:timestamp with time zone',
    route_performance_daily => 'scheduled_trips:integer observed_trips:integer '
        . 'canceled_trips:integer skipped_stops:integer',
);
for my $table (sort keys %columns) {
    my %have = map { split /\|/ } split /\n/, $t->psql(
        "SELECT column_name, data_type FROM information_schema.columns "
        . "WHERE table_name = '$table'");
    for my $spec ($columns{$table} =~ /(\w+:[a-z ]+?)(?= \w+:|$)/g) {
        my ($col, $type) = split /:/, $spec;
        is($have{$col}, $type, "$table.$col is $type");
    }
}

# the daily aggregate's read (store/history_pg.c) is an index-only scan:
# every column it reads is in the headway index (0006), and the
# insert-triggered autovacuum that marks the log's pages all-visible runs
# every 100,000 rows, not after 20% of the table
my $plan = $t->psql("SET enable_seqscan = off; SET enable_bitmapscan = off; "
    . "EXPLAIN SELECT route_id, direction_id, stop_id, trip_id, trip_start_time, "
    . "scheduled_at, arrived_at, delay_sec FROM arrival_log WHERE city_id = 1 "
    . "AND service_date = '2025-07-02'::date ORDER BY route_id, direction_id, "
    . "stop_id, scheduled_at");
like($plan, qr/Index Only Scan using arrival_log_headways on arrival_log/,
    'the daily aggregate reads arrival_log_headways alone') or diag($plan);
unlike($plan, qr/Sort/, '... in its order, with no sort');
is($t->psql("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = 'arrival_log'"),
    'autovacuum_vacuum_insert_scale_factor=0,autovacuum_vacuum_insert_threshold=100000',
    'arrival_log is vacuumed every 100,000 inserted rows');

# idempotent
($rc, $out, $err) = $t->worker('migrate');
is($rc, 0, 'second migrate exits 0');
like($out, qr/6 migrations, 0 applied now/, 'second migrate applies nothing');
is($t->psql('SELECT count(*) FROM schema_migrations'), 6, 'still six rows');

# two replicas migrating one fresh database at the same time
$t->psql('CREATE DATABASE mtw_race');
(my $race = $url) =~ s{/mtw$}{/mtw_race};
$t->start_worker("race$_", 'migrate', '--database', $race) for 1 .. 2;
is($t->wait_worker("race$_", 30), 0, "concurrent migrate $_ exits 0") for 1 .. 2;
is(`psql -X -A -t -q '$race' -c 'SELECT count(*) FROM schema_migrations'` + 0, 6,
    'concurrent runs applied each migration once');

# a migration that fails is rolled back whole and named with its line
$t->psql('CREATE DATABASE mtw_clash');
(my $clash = $url) =~ s{/mtw$}{/mtw_clash};
system('psql', '-X', '-q', $clash, '-c', 'CREATE TABLE trips (x int)') == 0
    or die 'psql failed';
($rc, $out, $err) = $t->worker('migrate', '--database', $clash);
is($rc, 1, 'clashing migrate exits 1');
# the line of that statement in the file
my ($before) = MTW::Test::slurp($t->root . '/worker/sql/0001_gtfs.sql')
    =~ /\A(.*?)^CREATE TABLE trips /ms;
my $trips_line = 1 + ($before =~ tr/\n//);
like($err, qr/^mtw-worker migrate: 0001_gtfs\.sql:$trips_line: relation "trips" already exists\n\z/,
    'error names the file, line and reason in one line');
is(`psql -X -A -t -q '$clash' -c "SELECT count(*) FROM pg_class WHERE relname IN ('city', 'agency', 'stops')"` + 0,
    0, 'nothing of the failed migration remains');
is(`psql -X -A -t -q '$clash' -c 'SELECT count(*) FROM schema_migrations'` + 0, 0,
    'the failed migration is not recorded');

($rc, $out, $err) = $t->worker('migrate', '--database',
    'postgresql://postgres@127.0.0.1:1/none');
is($rc, 1, 'unreachable database: exit 1');
like($err, qr/^mtw-worker migrate: cannot connect to PostgreSQL: [^\n]+\n\z/,
    'unreachable database: one line');

# the application's role, as the deploy's admin task sets it up
my $secret = 'Xy7' . ('q' x 30);
my %app = (MTW_DATABASE_APP_USER => 'mtw_app', MTW_DATABASE_APP_PASSWORD => $secret);
($rc, $out, $err) = $t->worker({ %app }, 'migrate');
is($rc, 0, 'migrate with MTW_DATABASE_APP_USER exits 0') or diag($err);
like($out, qr/^role mtw_app: created, DML on the schema$/m, 'says it created the role');
is($t->psql("SELECT rolcanlogin::text || rolsuper::text || rolcreatedb::text || rolcreaterole::text"
    . " FROM pg_roles WHERE rolname = 'mtw_app'"), 'truefalsefalsefalse',
    'mtw_app logs in, and is no superuser, no creator of databases or roles');
like($t->psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'mtw_app'"),
    qr/^SCRAM-SHA-256\$/, 'its password is stored as a SCRAM verifier');
unlike($out . $err, qr/\Q$secret\E/, 'the password is never printed');
for my $table (qw(stop_times city arrival_log)) {
    is($t->psql("SELECT has_table_privilege('mtw_app', '$table', 'SELECT, INSERT, UPDATE, DELETE')"),
        't', "mtw_app reads and writes $table");
    is($t->psql("SELECT has_table_privilege('mtw_app', '$table', 'TRUNCATE')"
        . " OR has_table_privilege('mtw_app', '$table', 'REFERENCES')"), 'f',
        "mtw_app has no other privilege on $table");
}
# what the owner creates later (gtfs-load's partitions) is granted too
$t->psql('CREATE TABLE later_table (id serial PRIMARY KEY, x int)');
is($t->psql("SELECT has_table_privilege('mtw_app', 'later_table', 'INSERT')"
    . " AND has_sequence_privilege('mtw_app', 'later_table_id_seq', 'USAGE')"), 't',
    'a table the owner creates later is granted to mtw_app');
for my $ddl ('CREATE TABLE planted (x int)', 'DROP TABLE later_table',
             'ALTER TABLE city ADD COLUMN planted int', 'TRUNCATE city') {
    eval { $t->psql("SET ROLE mtw_app; $ddl") };
    like($@, qr/permission denied|must be owner/, "mtw_app cannot: $ddl");
}
my $old = $t->psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'mtw_app'");
($rc, $out, $err) = $t->worker({ %app, MTW_DATABASE_APP_PASSWORD => 'Zz9' . ('r' x 30) }, 'migrate');
like($out, qr/^role mtw_app: password set/m, 'again: sets the new password (rotation)');
isnt($t->psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'mtw_app'"), $old,
    'the verifier changed');
($rc, $out, $err) = $t->worker({ MTW_DATABASE_APP_USER => 'mtw_app' }, 'migrate');
is($rc, 1, 'a role without a password: exit 1');
like($err, qr/MTW_DATABASE_APP_PASSWORD must hold the password of mtw_app/, '... saying what is missing');
($rc, $out, $err) = $t->worker({ %app, MTW_DATABASE_APP_USER => 'x"; DROP ROLE postgres; --' }, 'migrate');
is($rc, 1, 'a role name that is not an identifier: exit 1');
like($err, qr/is not a plain lower-case role name/, '... refused before any SQL');

$t->done;
