package MTW::Test;

# MTW::Test - per-test-file harness: a temporary folder, free loopback ports,
# and the real services a test asks for (Redis, PostgreSQL, nginx with the
# module, the worker), stopped at the end even when the test dies.
#
#   use MTW::Test;
#   my $t = MTW::Test->new;
#   $t->start_redis;
#   $t->start_nginx(<<'EOF');        # inside http {}; %%PORT%% etc. replaced
#   server { listen 127.0.0.1:%%PORT%%; location /api/ { mtw_api; } }
#   EOF
#   $t->check_requests([ { path => '/api/healthz', status => 200 } ]);
#   $t->done;                        # stops services, scans logs, done_testing
#
# With MTW_SANITIZE=1 the ASan/UBSan builds are used (module preloaded with
# the sanitizer runtimes into nginx) and any sanitizer report fails the file.

use strict;
use warnings;

use Cwd qw(abs_path);
use File::Basename qw(dirname);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX qw(:sys_wait_h);
use Test::More;
use Time::HiRes qw(sleep time);

our $ROOT = abs_path(dirname(__FILE__) . '/../../..');
our $SANITIZE = $ENV{MTW_SANITIZE} ? 1 : 0;
our $BUILD = $SANITIZE ? "$ROOT/build/asan" : "$ROOT/build";
# the real feeds the tests run on, in the repository (t/data/README.md):
# nothing under t/ reads a file outside the repository
our $DATA = "$ROOT/t/data";
# nginx by its full path: a binary upgrade (USR2) re-executes argv[0]
our $NGINX = (grep { -x } map { "$_/nginx" } split(/:/, $ENV{PATH} // ''),
              '/usr/sbin')[0] // 'nginx';

my @instances;    # every harness of this process, for the END safety net

sub new {
    my ($class, %opt) = @_;
    my $dir = tempdir('mtw-test-XXXXXX', TMPDIR => 1, CLEANUP => !$ENV{MTW_KEEP});
    chmod 0755, $dir;   # postgres and nginx workers run as other users
    my $self = bless {
        dir   => $dir,
        procs => {},    # name -> pid of things we started in the foreground
        pidfiles => {}, # name -> pid file of daemons
        port  => {},
    }, $class;
    push @instances, $self;
    diag("test dir: $dir") if $ENV{MTW_KEEP};
    return $self;
}

sub dir { $_[0]{dir} }
sub root { $ROOT }
sub worker_bin { "$BUILD/mtw-worker" }
sub module_so { "$BUILD/nginx/objs/ngx_http_mtw_module.so" }

# Path of a fixture in t/data.  A missing one fails the test file: the
# fixtures are part of the repository, a clone without them is broken.
sub data_file {
    my ($self, @rel) = @_;
    for my $rel (@rel) {
        next if -e "$DATA/$rel";
        die "t/data/$rel is missing: the repository's test fixtures are "
            . "incomplete (t/data/README.md lists them)\n";
    }
    return wantarray ? map { "$DATA/$_" } @rel : "$DATA/$rel[0]";
}

sub data_dir { $DATA }

# --- ports and waiting -----------------------------------------------------

# A port for a server the harness starts.  Below the kernel's ephemeral
# range: a port the kernel hands out (LocalPort 0) is free only until a
# client's connection takes it as its own end, which made a server's bind
# fail now and then ("Address already in use") while other tests ran.
# (0 last: the kernel's choice, when the range leaves no room below it)
sub free_port {
    my ($low) = split ' ', slurp('/proc/sys/net/ipv4/ip_local_port_range') // '';
    $low = 32768 unless $low && $low =~ /^\d+$/;
    my @try = $low > 11024 ? (map { 10000 + int(rand($low - 10000)) } 1 .. 50) : ();
    for my $port (@try, 0) {
        my $sock = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
            LocalPort => $port, Proto => 'tcp', ReuseAddr => 1) or next;
        $port = $sock->sockport;
        close $sock;
        return $port;
    }
    die "no free port: $!";
}

sub port {
    my ($self, $name) = @_;
    return $self->{port}{$name} //= free_port();
}

sub wait_for {
    my ($what, $timeout, $cond) = @_;
    my $until = time + $timeout;
    while (time < $until) {
        return 1 if $cond->();
        sleep 0.05;
    }
    die "timed out after ${timeout}s waiting for $what\n";
}

sub port_open {
    my ($port) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 1);
    return $s ? 1 : 0;
}

sub pid_alive { my ($pid) = @_; return $pid && kill(0, $pid) }

sub read_pidfile {
    my ($file) = @_;
    open my $fh, '<', $file or return;
    my $pid = <$fh>;
    return unless defined $pid;
    chomp $pid;
    return $pid =~ /^(\d+)/ ? $1 : undef;
}

sub slurp {
    my ($file) = @_;
    open my $fh, '<', $file or return '';
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($file, $text) = @_;
    open my $fh, '>', $file or die "cannot write $file: $!";
    print $fh $text;
    close $fh;
}

# --- Redis -----------------------------------------------------------------

sub start_redis {
    my ($self, %opt) = @_;
    my $port = $self->port('redis');
    my $d = "$self->{dir}/redis";
    make_path($d);
    my @cmd = ('redis-server', '--port', $port, '--bind', '127.0.0.1',
        '--save', '', '--appendonly', 'no', '--daemonize', 'yes',
        '--pidfile', "$d/redis.pid", '--dir', $d, '--logfile', "$d/redis.log",
        @{ $opt{args} || [] });
    system(@cmd) == 0 or die "redis-server failed to start: @cmd\n";
    $self->{pidfiles}{redis} = "$d/redis.pid";
    wait_for('redis', 10, sub { $self->redis_cmd('PING') eq 'PONG' });
    return $port;
}

sub stop_redis {
    my ($self) = @_;
    $self->_stop_pidfile('redis', 'TERM');
}

sub redis_port { $_[0]{port}{redis} }

# One Redis command over RESP; returns the reply (arrays as array refs),
# errors as "ERR ..." strings.  Enough for tests to seed and inspect data.
sub redis_cmd {
    my ($self, @args) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
        PeerPort => $self->{port}{redis}, Proto => 'tcp', Timeout => 5)
        or return '';
    my $req = '*' . scalar(@args) . "\r\n";
    for my $a (@args) {
        utf8::encode($a) if utf8::is_utf8($a);
        $req .= '$' . length($a) . "\r\n$a\r\n";
    }
    print $s $req;
    return _resp_read($s);
}

sub _resp_read {
    my ($s) = @_;
    my $line = <$s>;
    return undef unless defined $line;
    $line =~ s/\r\n$//;
    my ($t, $rest) = (substr($line, 0, 1), substr($line, 1));
    return $rest if $t eq '+';
    return $rest if $t eq '-';
    return $rest + 0 if $t eq ':';
    if ($t eq '$') {
        return undef if $rest < 0;
        my $buf = '';
        while (length($buf) < $rest + 2) {
            read($s, $buf, $rest + 2 - length($buf), length($buf)) or last;
        }
        return substr($buf, 0, $rest);
    }
    if ($t eq '*') {
        return undef if $rest < 0;
        return [ map { _resp_read($s) } 1 .. $rest ];
    }
    die "bad RESP line: $line\n";
}

# Stores a document the way the worker publishes it (DESIGN.md §5).
sub put_doc {
    my ($self, $city, $name, $body, %opt) = @_;
    my $etag = $opt{etag} // sprintf('"%08x"', unpack('%32C*', $body));
    $self->redis_cmd('HSET', "mtw:$city:doc:$name", 'body', $body,
        'etag', $etag, 'ts', $opt{ts} // int(time));
    return $etag;
}

# --- PostgreSQL -------------------------------------------------------------

sub _as_postgres {
    my (@cmd) = @_;
    return $> == 0 ? ('runuser', '-u', 'postgres', '--', @cmd) : @cmd;
}

sub pg_bindir {
    my @dirs = sort glob('/usr/lib/postgresql/*/bin');
    die "PostgreSQL server binaries not found\n" unless @dirs;
    return $dirs[-1];
}

# Server settings of the test cluster.  By default durability is traded
# for speed (fsync and synchronous commit off): fine while the cluster
# only ever stops cleanly.  A test that crashes PostgreSQL (crash_postgres)
# asks for durable => 1, production's settings, because an immediate stop
# of a cluster with synchronous_commit=off drops commits it already
# acknowledged to the worker (t/44 lost rows that way).
sub _pg_options {
    my ($self) = @_;
    my $port = $self->port('pg');
    my $d = "$self->{dir}/pg";
    my $o = "-p $port -k $d -c listen_addresses=127.0.0.1";
    $o .= ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off'
        unless $self->{pg_durable};
    return $o;
}

sub start_postgres {
    my ($self, %opt) = @_;
    my $port = $self->port('pg');
    my $d = "$self->{dir}/pg";
    my $bin = pg_bindir();
    $self->{pg_durable} = $opt{durable} ? 1 : 0;
    make_path($d);
    system('chown', 'postgres:postgres', $d) if $> == 0;
    chmod 0700, $d;
    my $log = "$self->{dir}/pg.log";
    my $rc = system(join(' ', map { "'$_'" } _as_postgres("$bin/initdb", '-D', "$d/data",
        '-U', 'postgres', '-A', 'trust', $self->{pg_durable} ? () : '--no-sync',
        '-E', 'UTF8', '--locale=C'))
        . " >'$log' 2>&1");
    die "initdb failed:\n" . slurp($log) if $rc != 0;
    $rc = system(join(' ', map { "'$_'" } _as_postgres("$bin/pg_ctl", '-D', "$d/data",
        '-l', "$d/postgres.log", '-w', '-t', '30', '-o', $self->_pg_options, 'start'))
        . " >>'$log' 2>&1");
    die "postgres failed to start:\n" . slurp($log) . slurp("$d/postgres.log") if $rc != 0;
    $self->{pg_data} = "$d/data";
    system("$bin/psql", '-q', '-h', '127.0.0.1', '-p', $port, '-U', 'postgres',
        '-c', 'CREATE DATABASE mtw', 'postgres') == 0
        or die "createdb failed\n";
    $self->{database_url} = "postgresql://postgres\@127.0.0.1:$port/mtw";
    return $self->{database_url};
}

sub database_url { $_[0]{database_url} }

# Runs SQL through psql; returns the unaligned, tuples-only output.
sub psql {
    my ($self, $sql) = @_;
    my $out = "$self->{dir}/psql.out";
    my @cmd = (pg_bindir() . '/psql', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1',
        $self->{database_url}, '-c', $sql);
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>', $out or die;
        open STDERR, '>&', \*STDOUT or die;
        exec @cmd or die "exec psql: $!";
    }
    waitpid $pid, 0;
    my $text = slurp($out);
    die "psql failed: $sql\n$text" if $? != 0;
    chomp $text;
    return $text;
}

# Stops PostgreSQL cleanly (a fast shutdown: sessions are ended, every
# acknowledged commit is kept).
sub stop_postgres {
    my ($self) = @_;
    $self->_pg_ctl_stop('fast');
}

# A database crash: an immediate stop, no checkpoint, the server killed
# mid-work.  Only on a durable cluster, where nothing acknowledged is lost.
sub crash_postgres {
    my ($self) = @_;
    die "crash_postgres needs start_postgres(durable => 1): an immediate stop "
        . "of the fast test cluster drops acknowledged commits\n"
        unless $self->{pg_durable};
    $self->_pg_ctl_stop('immediate');
}

sub _pg_ctl_stop {
    my ($self, $mode) = @_;
    return unless $self->{pg_data};
    system(join(' ', map { "'$_'" } _as_postgres(pg_bindir() . '/pg_ctl', '-D',
        $self->{pg_data}, '-m', $mode, '-w', 'stop')) . ' >/dev/null 2>&1');
    delete $self->{pg_data};
}

# Starts again the PostgreSQL that stop_postgres or crash_postgres stopped:
# the same data directory, port and settings (an outage, then its return).
sub restart_postgres {
    my ($self) = @_;
    my $d = "$self->{dir}/pg";
    my $log = "$self->{dir}/pg.log";
    die "restart_postgres: no stopped PostgreSQL\n" if $self->{pg_data} || !-d "$d/data";
    my $rc = system(join(' ', map { "'$_'" } _as_postgres(pg_bindir() . '/pg_ctl', '-D',
        "$d/data", '-l', "$d/postgres.log", '-w', '-t', '30', '-o',
        $self->_pg_options, 'start'))
        . " >>'$log' 2>&1");
    die "postgres failed to restart:\n" . slurp($log) . slurp("$d/postgres.log") if $rc != 0;
    $self->{pg_data} = "$d/data";
    return $self->{database_url};
}

# --- GTFS feeds for tests -----------------------------------------------------

# Writes a zip at $path from { 'name/in/zip' => content } (entries in name
# order; core IO::Compress::Zip), for tests that build their own feeds.
sub write_zip {
    my ($self, $path, $files) = @_;
    require IO::Compress::Zip;
    no warnings 'once';
    my @names = sort keys %$files;
    die "write_zip: no files\n" unless @names;
    my $z = IO::Compress::Zip->new($path, Name => $names[0], Minimal => 1)
        or die "write_zip $path: $IO::Compress::Zip::ZipError\n";
    for my $i (0 .. $#names) {
        $z->newStream(Name => $names[$i], Minimal => 1) if $i > 0;
        $z->print($files->{$names[$i]});
    }
    $z->close;
    return $path;
}

# A minimal valid GTFS feed as { file => content }: one agency (America/
# Regina), one weekday service, one route, three stops, two trips (one past
# midnight), six stop_times.  Tests copy and break it.
sub tiny_gtfs {
    return {
        'agency.txt' => "agency_id,agency_name,agency_url,agency_timezone\n"
            . "TT,Tiny Transit,https://tiny.example,America/Regina\n",
        'calendar.txt' => "service_id,monday,tuesday,wednesday,thursday,"
            . "friday,saturday,sunday,start_date,end_date\n"
            . "WK,1,1,1,1,1,0,0,20250101,20251231\n",
        'routes.txt' => "route_id,agency_id,route_short_name,route_long_name,"
            . "route_type\nR1,TT,1,Main Street,3\n",
        'stops.txt' => "stop_id,stop_name,stop_lat,stop_lon\n"
            . "S1,First,52.10,-106.60\nS2,Second,52.12,-106.62\n"
            . "S3,Third,52.14,-106.64\n",
        'trips.txt' => "route_id,service_id,trip_id,direction_id\n"
            . "R1,WK,T1,0\nR1,WK,T2,1\n",
        'stop_times.txt' => "trip_id,arrival_time,departure_time,stop_id,"
            . "stop_sequence\n"
            . "T1,08:00:00,08:00:00,S1,1\nT1,08:05:00,08:05:30,S2,2\n"
            . "T1,08:10:00,08:10:00,S3,3\n"
            . "T2,24:50:00,24:50:00,S3,1\nT2,24:55:00,24:55:00,S2,2\n"
            . "T2,25:00:00,25:00:00,S1,3\n",
    };
}

# The GTFS tables, in import order.
our @GTFS_TABLES = qw(agency calendar calendar_dates routes stops shapes
                      trips stop_times frequencies transfers);

# One string that changes when any GTFS row of the city changes: per table
# the row count and an md5 of its rows in a stable order.
sub gtfs_fingerprint {
    my ($self, $city_id) = @_;
    return join ',', map {
        $self->psql("SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, "
            . "'|' ORDER BY x::text), '')) FROM $_ x WHERE city_id = $city_id")
    } @GTFS_TABLES;
}

# The id of the city with that slug ('' when there is none).
sub city_id {
    my ($self, $slug) = @_;
    return $self->psql("SELECT id FROM city WHERE slug = '$slug'");
}

# Waits for a background worker (start_worker) to exit by itself; returns
# its exit status, or -1 after killing it when $timeout seconds pass.
sub wait_worker {
    my ($self, $name, $timeout) = @_;
    my $pid = delete $self->{procs}{"worker-$name"} or return -1;
    my $until = time + ($timeout // 30);
    while (time < $until) {
        return $? >> 8 if waitpid($pid, WNOHANG) == $pid;
        sleep 0.02;
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return -1;
}

# --- nginx ------------------------------------------------------------------

sub nginx_port { $_[0]->port('nginx') }

sub _sanitizer_env {
    my ($self, $name, $leaks) = @_;
    return () unless $SANITIZE;
    my $log = "$self->{dir}/sanitizer-$name";
    return (
        ASAN_OPTIONS => "log_path=$log:detect_leaks=$leaks:abort_on_error=0",
        UBSAN_OPTIONS => "log_path=$log:print_stacktrace=1:halt_on_error=0",
    );
}

sub _subst {
    my ($self, $text) = @_;
    my %v = (
        PORT => $self->nginx_port, DIR => $self->{dir}, ROOT => $ROOT,
        REDIS_PORT => $self->{port}{redis} // $self->port('redis'),
    );
    $text =~ s/%%(\w+)%%/exists $v{$1} ? $v{$1} : $self->port(lc $1)/ge;
    return $text;
}

# Starts nginx (master + workers) with the module loaded; $http is the inside
# of the http {} block.  Options: workers => N, main => extra main-level text.
sub start_nginx {
    my ($self, $http, %opt) = @_;
    my $d = "$self->{dir}/nginx";
    make_path("$d/logs", "$d/tmp");
    my $user = $> == 0 ? "user root;\n" : '';
    my $workers = $opt{workers} // 1;
    my $main = $opt{main} // '';
    # a new binary (USR2) starts with only the environment nginx passes on
    $main .= "\nenv LD_PRELOAD;\nenv ASAN_OPTIONS;\nenv UBSAN_OPTIONS;\n"
        if $SANITIZE;
    my $conf = $self->_subst(<<"CONF");
load_module ${\ $self->module_so };
${user}worker_processes $workers;
pid $d/nginx.pid;
error_log $d/logs/error.log info;
$main
events { worker_connections 1024; }
http {
    access_log $d/logs/access.log;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    default_type application/octet-stream;
$http
}
CONF
    spew("$d/nginx.conf", $conf);
    $self->{nginx_dir} = $d;
    my %env = $self->_nginx_env;
    my ($rc, $out) = $self->run_cmd(\%env, $NGINX, '-p', "$d/", '-c', "$d/nginx.conf");
    die "nginx failed to start:\n$out" if $rc != 0;
    $self->{pidfiles}{nginx} = "$d/nginx.pid";
    wait_for('nginx', 10, sub { port_open($self->nginx_port) });
    # the listening socket opens before the master has forked its workers
    wait_for("$workers nginx workers", 10, sub {
        my $master = read_pidfile("$d/nginx.pid") or return 0;
        my @kids = split /\s+/, `pgrep -P $master`;
        return @kids >= $workers;
    });
    return $self->nginx_port;
}

sub _nginx_env {
    my ($self) = @_;
    return () unless $SANITIZE;
    my $asan = `gcc -print-file-name=libasan.so`; chomp $asan;
    my $ubsan = `gcc -print-file-name=libubsan.so`; chomp $ubsan;
    return (LD_PRELOAD => "$asan:$ubsan", $self->_sanitizer_env('nginx', 0));
}

# nginx -t / -s against this test's configuration.
sub nginx_cmd {
    my ($self, @args) = @_;
    my $d = $self->{nginx_dir};
    my %env = $self->_nginx_env;
    return $self->run_cmd(\%env, $NGINX, '-p', "$d/", '-c', "$d/nginx.conf", @args);
}

# Writes a config with the module loaded and runs `nginx -t` on it.
sub nginx_test_conf {
    my ($self, $http) = @_;
    my $d = "$self->{dir}/nginx-t-" . ++$self->{conf_n};
    make_path("$d/logs");
    spew("$d/nginx.conf", $self->_subst(<<"CONF"));
load_module ${\ $self->module_so };
pid $d/nginx.pid;
error_log $d/logs/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $d/body;
$http
}
CONF
    my %env = $self->_nginx_env;
    return $self->run_cmd(\%env, $NGINX, '-t', '-p', "$d/", '-c', "$d/nginx.conf");
}

sub error_log { slurp("$_[0]{nginx_dir}/logs/error.log") }

# --- the worker ---------------------------------------------------------------

sub worker_env {
    my ($self, %extra) = @_;
    my %env = (
        MTW_REDIS_URL => 'redis://127.0.0.1:' . ($self->{port}{redis} // 1),
        # no weather job in `run` (it would ask the internet): t/54 turns
        # it on against a local server
        MTW_WEATHER_SEC => 0,
        ($self->{database_url} ? (MTW_DATABASE_URL => $self->{database_url}) : ()),
        $self->_sanitizer_env('worker', 1),
        %extra,
    );
    return \%env;
}

# Runs the worker to completion: returns (exit status, stdout, stderr).
sub worker {
    my ($self, @args) = @_;
    my $env = ref $args[0] eq 'HASH' ? shift @args : {};
    my ($rc, $out, $err) = $self->run_cmd($self->worker_env(%$env), $self->worker_bin, @args);
    return ($rc, $out, $err);
}

# Starts `mtw-worker @args` in the background (logs to worker-NAME.log).
sub start_worker {
    my ($self, $name, @args) = @_;
    my $env = ref $args[0] eq 'HASH' ? shift @args : {};
    my $log = "$self->{dir}/worker-$name.log";
    my %env = %{ $self->worker_env(%$env) };
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        $ENV{$_} = $env{$_} for keys %env;
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', $log or die;
        open STDERR, '>&', \*STDOUT or die;
        exec $self->worker_bin, @args or die "exec: $!";
    }
    $self->{procs}{"worker-$name"} = $pid;
    return $pid;
}

sub worker_log { slurp("$_[0]{dir}/worker-$_[1].log") }

# Stops a background worker: returns (exit status, seconds it took).
sub stop_worker {
    my ($self, $name, $sig) = @_;
    my $pid = delete $self->{procs}{"worker-$name"} or return;
    my $t0 = time;
    kill $sig // 'TERM', $pid;
    my $until = time + 10;
    while (time < $until) {
        my $r = waitpid($pid, WNOHANG);
        return ($? >> 8, time - $t0) if $r == $pid;
        sleep 0.02;
    }
    kill 'KILL', $pid;
    waitpid($pid, 0);
    return (-1, time - $t0);
}

# Runs a command with extra environment; returns (status, stdout, stderr).
sub run_cmd {
    my ($self, $env, @cmd) = @_;
    my $n = ++$self->{cmd_n};
    my ($o, $e) = ("$self->{dir}/cmd-$n.out", "$self->{dir}/cmd-$n.err");
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        $ENV{$_} = $env->{$_} for keys %$env;
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', $o or die;
        open STDERR, '>', $e or die;
        exec @cmd or die "exec $cmd[0]: $!";
    }
    waitpid $pid, 0;
    my $rc = $? >> 8;
    $rc = 128 + ($? & 127) if $? & 127;
    return wantarray ? ($rc, slurp($o), slurp($e)) : $rc;
}

# --- HTTP -------------------------------------------------------------------

sub http {
    my ($self, $method, $path, %opt) = @_;
    my $ua = HTTP::Tiny->new(timeout => $opt{timeout} // 10, max_redirect => 0);
    my $url = 'http://127.0.0.1:' . $self->nginx_port . $path;
    return $ua->request($method, $url, {
        headers => $opt{headers} || {},
        (defined $opt{body} ? (content => $opt{body}) : ()),
    });
}

sub get { my ($self, $path, %opt) = @_; $self->http('GET', $path, %opt) }

# Decoded JSON body of a response, or undef when it is not JSON.
sub json_of {
    my ($res) = @_;
    my $v = eval { JSON::PP->new->utf8->allow_nonref->decode($res->{content}) };
    return $v;
}

# Walks "a.b.0.c" into a decoded JSON value.
sub json_path {
    my ($v, $path) = @_;
    for my $k (split /\./, $path) {
        if (ref $v eq 'HASH') { return (0, undef) unless exists $v->{$k}; $v = $v->{$k} }
        elsif (ref $v eq 'ARRAY') { return (0, undef) unless $k =~ /^\d+$/ && $k < @$v; $v = $v->[$k] }
        else { return (0, undef) }
    }
    return (1, $v);
}

# Data-driven request checks.  Each case:
#   { name, method, path, headers, body,
#     status => 200,
#     headers_like => { 'content-type' => qr/json/ },   # undef: must be absent
#     json => { 'error.code' => 'not_found', 'a.0.b' => qr/../, 'x' => sub {...} },
#     body_like => qr/.../ }
sub check_requests {
    my ($self, $cases) = @_;
    for my $c (@$cases) {
        my $name = $c->{name} // (($c->{method} // 'GET') . " $c->{path}");
        my $res = $self->http($c->{method} // 'GET', $c->{path},
            headers => $c->{headers}, body => $c->{body});
        is($res->{status}, $c->{status}, "$name: status $c->{status}")
            or diag("body: " . substr($res->{content} // '', 0, 500));
        for my $h (sort keys %{ $c->{headers_like} || {} }) {
            my $want = $c->{headers_like}{$h};
            my $got = $res->{headers}{lc $h};
            $got = join(', ', @$got) if ref $got eq 'ARRAY';
            if (!defined $want) {
                ok(!defined $got, "$name: no $h header");
            } elsif (ref $want eq 'Regexp') {
                like($got // '', $want, "$name: $h");
            } else {
                is($got, $want, "$name: $h");
            }
        }
        if ($c->{json}) {
            my $doc = json_of($res);
            ok(defined $doc, "$name: body is JSON") or next;
            for my $p (sort keys %{ $c->{json} }) {
                my $want = $c->{json}{$p};
                my ($found, $got) = json_path($doc, $p);
                if (ref $want eq 'CODE') {
                    ok($found && $want->($got), "$name: $p");
                } elsif (ref $want eq 'Regexp') {
                    ok($found, "$name: $p present") && like($got, $want, "$name: $p");
                } else {
                    ok($found, "$name: $p present") && is($got, $want, "$name: $p");
                }
            }
        }
        like($res->{content}, $c->{body_like}, "$name: body") if $c->{body_like};
        ok(($res->{content} // '') eq '', "$name: empty body") if $c->{empty_body};
    }
}

# --- logs and shutdown ---------------------------------------------------------

# Lines of an nginx error log that fail a test file.
sub bad_log_lines {
    my ($text) = @_;
    return grep { /\[(alert|emerg|crit)\]/ } split /\n/, $text // '';
}

# Sanitizer reports written under $dir.
sub sanitizer_reports {
    my ($dir) = @_;
    my @files = grep { -s $_ } glob("$dir/sanitizer-*");
    my @reports;
    for my $f (@files) {
        push @reports, "$f:\n" . slurp($f);
    }
    return @reports;
}

sub _stop_pidfile {
    my ($self, $name, $sig) = @_;
    my $file = delete $self->{pidfiles}{$name} or return;
    my $pid = read_pidfile($file) or return;
    kill $sig, $pid;
    my $until = time + 10;
    sleep 0.02 while pid_alive($pid) && time < $until;
    kill 'KILL', $pid if pid_alive($pid);
}

sub stop_nginx {
    my ($self) = @_;
    $self->_stop_pidfile('nginx', 'QUIT');
}

sub stop_all {
    my ($self) = @_;
    # every background process is a worker (start_worker)
    $self->stop_worker($_ =~ s/^worker-//r) for keys %{ $self->{procs} };
    $self->stop_nginx;
    $self->_stop_pidfile('redis', 'TERM');
    $self->_pg_ctl_stop('immediate');    # the end: nothing left to keep
}

# Stops everything, fails the file on alert/emerg/crit lines or sanitizer
# reports, and ends the plan.
sub done {
    my ($self) = @_;
    $self->stop_all;
    if ($self->{nginx_dir}) {
        my @bad = bad_log_lines($self->error_log);
        ok(!@bad, 'nginx error log has no [alert]/[emerg]/[crit] lines')
            or diag(join("\n", @bad));
    }
    my @reports = sanitizer_reports($self->{dir});
    ok(!@reports, 'no sanitizer reports') or diag(join("\n", @reports));
    $self->{done} = 1;
    done_testing();
}

END {
    my $status = $?;
    $_->stop_all for grep { !$_->{done} } @instances;
    $? = $status;
}

1;
