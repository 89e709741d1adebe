#!/usr/bin/perl
# 47-soak.t - a 20-second run of bench/soak.pl: mixed traffic on 2 nginx
# workers while Redis is restarted and paused, the feed fails three ways
# and nginx is reloaded and upgraded.  The soak's own targets are the
# checks (no connection error, 503 only while Redis is faulted, no other
# 5xx or unexpected 4xx, no arrival lost); its figures are printed.
use strict;
use warnings;
use lib 't/lib';
use MTW::Test;
use Test::More;

my $soak = MTW::Test->root . '/bench/soak.pl';
my $out = `perl $soak 20 2>&1`;
my $rc = $? >> 8;
diag($_) for grep { /^soak: / } split /\n/, $out;
is($rc, 0, 'the soak met its targets') or diag($out);
my %seen = map { $_ => 1 } $out =~ /^soak: +[\d.]+ s ([\w-]+)$/mg;
is_deeply([sort keys %seen], [sort qw(redis-restart redis-pause feed-500
    feed-garbage feed-hang reload upgrade)], 'every fault injected');
my ($n) = $out =~ /^soak: (\d+) requests/m;
cmp_ok($n // 0, '>', 1000, 'requests served');
like($out, qr/^soak: ok 304 +\d+/m, 'revalidations answered 304');
like($out, qr/^soak: 503 in a Redis fault +\d+/m, 'Redis faults seen by clients as 503');
like($out, qr/^soak: arrivals detected [1-9]\d*, logged \d+, lost 0$/m, 'no arrival lost');
done_testing;
