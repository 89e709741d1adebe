#!/bin/sh
# bench/search.sh - Redis time of one stop search by name, for a city of
# 20,000 stops (a large North American network): the module's index
# (ZRANGEBYLEX over mtw:{city}:stop:search, its script from
# ngx_http_mtw_stops.c) against the scan it replaced (HGETALL of every
# name and a Lua substring loop and sort), both run here on the same
# names.  Redis's own commandstats give the microseconds per call.
# Target: the index <= 200 us and >= 20 x faster than the scan.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec perl -I"$ROOT/t/lib" - "$ROOT" <<'PERL'
use strict;
use warnings;
use MTW::Test;
use MTW::ApiSeed;

my $root = shift;
my $t = MTW::Test->new;
$t->start_redis;
my $n = 20000;
my @words = qw(primrose lenore 8th street avenue circle crescent main college
               preston taylor clarence broadway idylwyld attridge wanuskewin
               central boychuk acadia lorne ruth louise spadina warman);
for my $i (1 .. $n) {
    my $name = join ' / ', map { ucfirst $words[($i * 7 + $_ * 13) % @words] . " $_" } 1 .. 2;
    my $id = "s$i";
    $t->redis_cmd('HSET', 'mtw:big:stop', $id, qq({"id":"$id","name":"$name","lat":52.1,"lon":-106.6}));
    $t->redis_cmd('HSET', 'mtw:big:stop:names', $id, lc $name);
    $t->redis_cmd('ZADD', 'mtw:big:stop:search', map { (0, $_) }
        MTW::ApiSeed::search_entries($name, $id));
}
my $src = MTW::Test::slurp("$root/ngx_mtw_module/ngx_http_mtw_stops.c");
my ($index) = $src =~ /ngx_http_mtw_lua_name = ngx_http_mtw_script\(\n(.*?)\);/s
    or die "no name script in ngx_http_mtw_stops.c\n";
$index = join '', map { s/\\n/\n/gr =~ s/\\\\/\\/gr } $index =~ /"((?:[^"\\]|\\.)*)"/g;
my $scan = <<'LUA';
local out = {redis.call('EXISTS', KEYS[1])}
if out[1] == 0 then return out end
local all = redis.call('HGETALL', KEYS[1])
local hits = {}
for i = 1, #all, 2 do
  if string.find(all[i + 1], ARGV[1], 1, true) then
    hits[#hits + 1] = {all[i + 1], all[i]}
  end
end
table.sort(hits, function(a, b)
  if a[1] ~= b[1] then return a[1] < b[1] end
  return a[2] < b[2] end)
for i = 1, math.min(#hits, tonumber(ARGV[2])) do
  out[#out + 1] = redis.call('HGET', KEYS[2], hits[i][2])
end
return out
LUA
my %sha = (index => $t->redis_cmd('SCRIPT', 'LOAD', $index),
           scan => $t->redis_cmd('SCRIPT', 'LOAD', $scan));
my %key = (index => 'mtw:big:stop:search', scan => 'mtw:big:stop:names');
my @texts = ('prim', 'main', 'college 2', 'w', 'zzz');
my %us;
for my $round (1 .. 3) {
    for my $which ($round % 2 ? ('index', 'scan') : ('scan', 'index')) {
        $t->redis_cmd('CONFIG', 'RESETSTAT');
        for (1 .. 20) {
            for my $q (@texts) {
                my $r = $t->redis_cmd('EVALSHA', $sha{$which}, 2, $key{$which},
                                      'mtw:big:stop', $q, 20);
                die "$which $q: no answer\n" unless ref $r eq 'ARRAY';
            }
        }
        my ($per) = $t->redis_cmd('INFO', 'commandstats') =~ /cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/;
        push @{ $us{$which} }, $per;
    }
}
$t->stop_all;
$t->{done} = 1;
my %med = map { my @v = sort { $a <=> $b } @{ $us{$_} }; ($_ => $v[1]) } keys %us;
printf "== bench/search: %d stops; Redis time per search (median of 3 alternated rounds of 100)\n", $n;
printf "index (ZRANGEBYLEX):        %8.1f us\n", $med{index};
printf "scan (HGETALL + Lua, before): %6.1f us   (%.0fx the index)\n", $med{scan}, $med{scan} / $med{index};
my $ok = $med{index} <= 200 && $med{scan} / $med{index} >= 20;
print $ok ? "bench/search: targets met\n" : "bench/search: targets MISSED (index <= 200 us, >= 20x)\n";
exit($ok ? 0 : 1);
PERL
