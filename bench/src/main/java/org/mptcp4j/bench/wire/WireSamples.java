package org.mptcp4j.bench.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/** The two segments the wire benchmarks measure, shaped as Linux 6.18 sends them. */
final class WireSamples {
    private WireSamples() {}

    /** Payload of a full-sized segment on a 1500-byte MTU with timestamps (MSS 1448) minus the 12 DSS+padding bytes. */
    static final int DATA_PAYLOAD = 1424;

    static final IpHeader.V4 IP = IpHeader.V4.of(v4("198.18.1.1"), v4("198.18.1.2"), IpHeader.PROTOCOL_TCP);

    /** (a) A data segment: timestamps and a DSS with a 4-byte DATA_ACK and a 64-bit mapping (22 bytes, as Linux). */
    static TcpSegment dataSegment() {
        return dataSegment(0);
    }

    /**
     * The {@code k}-th segment of a flow shaped like (a): sequence numbers, DSN, subflow offset,
     * timestamps and payload bytes all differ from one {@code k} to the next (so do the checksums),
     * the layout stays the same.
     */
    static TcpSegment dataSegment(int k) {
        byte[] payload = new byte[DATA_PAYLOAD];
        long x = 0x9E3779B97F4A7C15L * (k + 1);
        for (int i = 0; i < payload.length; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            payload[i] = (byte) x;
        }
        int offset = k * DATA_PAYLOAD;
        MptcpOption.Dss dss = new MptcpOption.Dss(OptionalLong.of(0x62FD9325L + k), false,
                Optional.of(new MptcpOption.DataSequenceMapping(0x879C77C356C681D9L + offset, true, 1 + offset, DATA_PAYLOAD,
                        OptionalInt.empty())), false);
        return new TcpSegment(34668, 5001, 0x7786_1C4C + offset, 0xA34F_4DB2 + k, TcpFlags.ACK | TcpFlags.PSH, 502, 0,
                List.of(new TcpOption.Timestamps(0x3A8058E7 + k, 0x94A8BD53 + k), dss), ByteBuffer.wrap(payload));
    }

    /** (b) A SYN: MSS, SACK-permitted, timestamps, window scale and MP_CAPABLE (v1, HMAC-SHA256). */
    static TcpSegment synSegment() {
        return new TcpSegment(34668, 5001, 0x7786_1C4B, 0, TcpFlags.SYN, 64240, 0,
                List.of(new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(0x3A8056F1, 0),
                        new TcpOption.WindowScale(10), MptcpOption.MpCapable.syn(MptcpOption.MpCapable.FLAG_HMAC_SHA256)),
                TcpSegment.EMPTY);
    }

    static Inet4Address v4(String s) {
        try {
            return (Inet4Address) InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
