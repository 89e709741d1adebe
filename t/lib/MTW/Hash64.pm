package MTW::Hash64;

# MTW::Hash64 - the documents' ETag hash (docs/redis-contract.md), written
# here again from the contract's description so that the tests check the
# worker's ETags against an implementation of their own.
#
#   use MTW::Hash64;
#   my $etag = MTW::Hash64::etag($body);    # "\"" . 16 hex digits . "\""
#
# Arithmetic is modulo 2^64: multiplication under `use integer` (Perl
# wraps it), shifts and xor on unsigned values outside it.

use strict;
use warnings;
no warnings 'portable';     # 64-bit constants: this Perl has 64-bit integers

my @SEED = (0x243f6a8885a308d3, 0x13198a2e03707344,
            0xa4093822299f31d0, 0x082efa98ec4e6c89);
my $STEP = 0x9e3779b97f4a7c15;
my ($MIX_1, $MIX_2) = (0xff51afd7ed558ccd, 0xc4ceb9fe1a85ec53);

sub mul {
    my ($x, $y) = @_;
    my $p;
    { use integer; $p = $x * $y; }
    return $p & 0xffffffffffffffff;         # back to unsigned
}

# a word folded into a lane: (h xor w) * STEP, rotated left by 31
sub word {
    my ($h, $w) = @_;
    $h = mul($h ^ $w, $STEP);
    return (($h << 31) | ($h >> 33)) & 0xffffffffffffffff;
}

sub hash64 {
    my ($bytes) = @_;
    my $len = length $bytes;
    my @lane = @SEED;
    my $i = 0;
    for (; $i + 32 <= $len; $i += 32) {
        my @w = unpack 'Q<4', substr($bytes, $i, 32);
        $lane[$_] = word($lane[$_], $w[$_]) for 0 .. 3;
    }
    for (; $i + 8 <= $len; $i += 8) {
        $lane[0] = word($lane[0], unpack('Q<', substr($bytes, $i, 8)));
    }
    if ($i < $len) {
        my $tail = substr($bytes, $i) . ("\0" x (8 - ($len - $i)));
        $lane[0] = word($lane[0], unpack('Q<', $tail));
    }
    my $h = $len;
    $h = word($h, $_) for @lane;
    $h ^= $h >> 33;
    $h = mul($h, $MIX_1);
    $h ^= $h >> 33;
    $h = mul($h, $MIX_2);
    $h ^= $h >> 33;
    return $h;
}

sub etag { sprintf '"%016x"', hash64($_[0]) }

1;
