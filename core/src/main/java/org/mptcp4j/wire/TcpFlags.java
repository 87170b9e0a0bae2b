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
