#!/usr/bin/perl
# check-sql.pl - SQL is only ever parameterised: every statement the worker
# sends (PQexec, PQexecParams, PQprepare, PQsendQuery*, mtw_pg_exec,
# mtw_pg_query, mtw_pg_copy_begin, mtw_pg_copy_out) takes a string literal
# as its text.
# A call whose text is built must say why that is safe on the line above,
# in a comment starting "sql-vetted:" (the few places that format
# identifiers from the program's own tables, or that wrap libpq), and
# those are listed.  Exit 1 on any other call.
#
#   perl scripts/check-sql.pl [DIR]     (default worker/)
use strict;
use warnings;
use File::Find;

my $root = shift // 'worker';
my @files;
find(sub { push @files, $File::Find::name if /\.c\z/ && $File::Find::dir !~ m{/tests\b} }, $root);
my $calls = qr/\b(PQexec|PQexecParams|PQprepare|PQsendQuery|PQsendQueryParams|mtw_pg_exec|mtw_pg_query|mtw_pg_copy_begin|mtw_pg_copy_out)\s*\(/;
my %sql_arg = (PQexec => 2, PQexecParams => 2, PQprepare => 3, PQsendQuery => 2,
               PQsendQueryParams => 2, mtw_pg_exec => 3, mtw_pg_query => 3,
               mtw_pg_copy_begin => 2, mtw_pg_copy_out => 3);
my (@bad, @vetted, $n);
for my $f (sort @files) {
    open my $fh, '<', $f or die "$f: $!";
    my @lines = <$fh>;
    my $text = join '', @lines;
    while ($text =~ /$calls/g) {
        my ($fn, $start) = ($1, pos($text));
        next if substr($text, 0, $start) =~ /\n[^\n]*\b(?:int|long|PGresult\s*\*|PGconn\s*\*|mtw_pg_copy\s*\*)\s*\**\s*$fn\s*\($/;
        # the arguments: to the matching parenthesis
        my ($depth, $i, $args) = (1, $start, '');
        while ($depth > 0 && $i < length $text) {
            my $c = substr($text, $i++, 1);
            $depth++ if $c eq '(';
            $depth-- if $c eq ')';
            $args .= $c if $depth > 0;
        }
        my @a;
        my ($cur, $d, $q) = ('', 0, 0);
        for my $c (split //, $args) {
            if ($q) { $cur .= $c; $q = 0 if $c eq '"' && $cur !~ /\\"\z/; next }
            if ($c eq '"') { $q = 1; $cur .= $c; next }
            $d++ if $c eq '(';
            $d-- if $c eq ')';
            if ($c eq ',' && $d == 0) { push @a, $cur; $cur = ''; next }
            $cur .= $c;
        }
        push @a, $cur;
        my $arg = $a[ $sql_arg{$fn} - 1 ] // '';
        $arg =~ s/^\s+|\s+$//g;
        my $line = 1 + (() = substr($text, 0, $start) =~ /\n/g);
        $n++;
        # literal(s), maybe with constant macros between them
        next if $arg =~ /\A(?:(?:"(?:[^"\\]|\\.)*"|[A-Z_][A-Z0-9_]*)\s*)+\z/s
                && $arg =~ /"/;
        # a constant initialised with literals: the nearest declaration of
        # the name before the call is `static const char NAME[] = "...";`
        if ($arg =~ /\A\w+\z/) {
            my $before = substr($text, 0, $start);
            my $last = '';
            while ($before =~ /(static\s+const\s+char\s*(?:\*\s*const\s+)?\Q$arg\E(?:\[\])?\s*=\s*(?:"(?:[^"\\]|\\.)*"\s*)+;|\bchar\b[^;(=]*\b\Q$arg\E\b)/g) {
                $last = $1;
            }
            next if $last =~ /\Astatic\s+const/;
        }
        my $above = join '', @lines[ ($line > 3 ? $line - 4 : 0) .. $line - 2 ];
        if ($above =~ /sql-vetted:\s*(.+?)(?:\*\/|$)/m) {
            push @vetted, "$f:$line $fn($arg): $1";
        } else {
            push @bad, "$f:$line $fn(... $arg ...): statement text not a literal";
        }
    }
}
print "ok - vetted: $_\n" for @vetted;
print "not ok - $_\n" for @bad;
printf "check-sql: %d calls, %d with literal text, %d vetted, %d refused\n",
    $n, $n - @vetted - @bad, scalar @vetted, scalar @bad;
exit(@bad ? 1 : 0);
