package org.mptcp4j.wire;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A TCP option (RFC 9293 section 3.2). EOL and NOP are padding: the decoder skips them and the
 * encoder inserts them for alignment, so they have no value type. Unknown kinds are kept as
 * {@link Unknown}, never fatal.
 */
public sealed interface TcpOption permits TcpOption.Mss, TcpOption.WindowScale, TcpOption.SackPermitted,
        TcpOption.Sack, TcpOption.Timestamps, TcpOption.Unknown, MptcpOption {

    int KIND_EOL = 0;
    int KIND_NOP = 1;
    int KIND_MSS = 2;
    int KIND_WINDOW_SCALE = 3;
    int KIND_SACK_PERMITTED = 4;
    int KIND_SACK = 5;
    int KIND_TIMESTAMPS = 8;
    int KIND_MPTCP = 30;

    /** The option's kind byte. */
    int kind();

    /** Bytes on the wire, kind and length included, padding excluded. */
    int encodedLength();

    /** Maximum segment size, SYN only (RFC 9293 section 3.7.1); 16 bits unsigned. */
    record Mss(int mss) implements TcpOption {
        public int kind() { return KIND_MSS; }
        public int encodedLength() { return 4; }
    }

    /** Window scale shift count, SYN only (RFC 7323 section 2); values above 14 are used as 14. */
    record WindowScale(int shift) implements TcpOption {
        public int kind() { return KIND_WINDOW_SCALE; }
        public int encodedLength() { return 3; }
    }

    /** SACK-permitted, SYN only (RFC 2018). */
    record SackPermitted() implements TcpOption {
        public int kind() { return KIND_SACK_PERMITTED; }
        public int encodedLength() { return 2; }
    }

    /** One SACK block: {@code [left, right)} in subflow sequence space. */
    record SackBlock(int left, int right) {}

    /** SACK blocks (RFC 2018), one to four. */
    record Sack(List<SackBlock> blocks) implements TcpOption {
        public Sack {
            blocks = List.copyOf(blocks);
        }
        public int kind() { return KIND_SACK; }
        public int encodedLength() { return 2 + 8 * blocks.size(); }
    }

    /** Timestamps (RFC 7323 section 3): TSval and TSecr, 32 bits unsigned each. */
    record Timestamps(int tsVal, int tsEcr) implements TcpOption {
        public int kind() { return KIND_TIMESTAMPS; }
        public int encodedLength() { return 10; }
    }

    /** An option this implementation does not interpret, kept as its data bytes (after kind and length). */
    record Unknown(int kind, byte[] data) implements TcpOption {
        public Unknown {
            data = data.clone();
        }
        public byte[] data() { return data.clone(); }
        public int encodedLength() { return 2 + data.length; }
        @Override public boolean equals(Object o) {
            return o instanceof Unknown u && u.kind == kind && Arrays.equals(u.data, data);
        }
        @Override public int hashCode() { return 31 * kind + Arrays.hashCode(data); }
        @Override public String toString() { return "Unknown[kind=" + kind + ", data=" + HexFormat.of().formatHex(data) + "]"; }
    }
}
