package MTW::Pb;

# MTW::Pb - a tiny protobuf wire-format reader for tests: an independent
# second opinion on what a GTFS-Realtime file holds, so the worker's
# decoder is checked against something it does not share code with.
#
#   my $msg = MTW::Pb::parse($bytes);     # [ [field, wiretype, value], ... ]
#   my @entities = MTW::Pb::fields($msg, 2);
#   my $feed = MTW::Pb::feed_summary($bytes);  # counts and sample fields

use strict;
use warnings;

sub _varint {
    my ($buf, $pos) = @_;
    my ($v, $shift) = (0, 0);
    while (1) {
        die "truncated varint\n" if $$pos >= length $$buf;
        my $b = ord substr($$buf, $$pos++, 1);
        $v += ($b & 0x7f) * (2 ** $shift);
        last unless $b & 0x80;
        $shift += 7;
        die "varint too long\n" if $shift > 63;
    }
    return $v;
}

# One message level: list of [field number, wire type, raw value].
sub parse {
    my ($bytes) = @_;
    my @out;
    my $pos = 0;
    while ($pos < length $bytes) {
        my $key = _varint(\$bytes, \$pos);
        my ($f, $wt) = (int($key / 8), $key % 8);
        my $v;
        if ($wt == 0) { $v = _varint(\$bytes, \$pos) }
        elsif ($wt == 1) { $v = substr($bytes, $pos, 8); $pos += 8 }
        elsif ($wt == 2) {
            my $n = _varint(\$bytes, \$pos);
            die "truncated field\n" if $pos + $n > length $bytes;
            $v = substr($bytes, $pos, $n); $pos += $n;
        }
        elsif ($wt == 5) { $v = substr($bytes, $pos, 4); $pos += 4 }
        else { die "wire type $wt unsupported\n" }
        push @out, [$f, $wt, $v];
    }
    return \@out;
}

sub fields { my ($msg, $n) = @_; return map { $_->[2] } grep { $_->[0] == $n } @$msg }
sub field { my @v = fields(@_); return $v[0] }
sub float32 { return unpack('f<', $_[0]) }

# What a FeedMessage holds, computed from the wire.
sub feed_summary {
    my ($bytes) = @_;
    my $top = parse($bytes);
    my $header = parse(field($top, 1) // '');
    my %s = (ts => field($header, 3) // 0, entities => 0, vehicles => 0,
             trips => 0, alerts => 0, stop_time_updates => 0, ids => [],
             first_vehicle => undef, informed => 0);
    for my $e (fields($top, 2)) {
        my $em = parse($e);
        $s{entities}++;
        push @{ $s{ids} }, field($em, 1);
        if (defined(my $v = field($em, 4))) {
            $s{vehicles}++;
            my $vm = parse($v);
            if (!$s{first_vehicle} && defined(my $p = field($vm, 2))) {
                my $pm = parse($p);
                my $vd = field($vm, 8);
                $s{first_vehicle} = {
                    entity_id => field($em, 1),
                    vehicle_id => $vd ? field(parse($vd), 1) : undef,
                    lat => float32(field($pm, 1)),
                    lon => float32(field($pm, 2)),
                    ts => field($vm, 5),
                };
            }
        }
        if (defined(my $t = field($em, 3))) {
            $s{trips}++;
            $s{stop_time_updates} += scalar fields(parse($t), 2);
        }
        if (defined(my $a = field($em, 5))) {
            $s{alerts}++;
            $s{informed} += scalar fields(parse($a), 5);
        }
    }
    return \%s;
}

1;
