package org.mptcp4j.wire;

/** The TCP header's control bits (RFC 9293 section 3.1, RFC 3168 for ECE/CWR), as an int bit set. */
public final class TcpFlags {
    private TcpFlags() {}

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;
    /**
     * AE, the Accurate ECN bit (RFC 9768; formerly NS, RFC 3540): bit 8, the low bit of the data
     * offset byte. The codec carries the other three reserved bits in 0xE00 so that every header
     * round-trips, and sends whatever the segment holds.
     */
    public static final int AE = 0x100;
    /** All 12 bits the header has for flags (RFC 9293 section 3.1: 4 reserved + 8 control bits). */
    public static final int ALL_BITS = 0xFFF;

    public static boolean has(int flags, int bit) {
        return (flags & bit) != 0;
    }

    /** Wireshark's rendering, e.g. {@code [SYN, ACK]}. */
    public static String toString(int flags) {
        StringBuilder sb = new StringBuilder("[");
        String[] names = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
        for (int i = 0; i < names.length; i++) {
            if ((flags & (1 << i)) != 0) {
                sb.append(sb.length() > 1 ? ", " : "").append(names[i]);
            }
        }
        return sb.append(']').toString();
    }
}
