package org.mptcp4j.wire;

import java.nio.ByteBuffer;
import org.mptcp4j.mib.MibCounter;

/**
 * Reads a TCP option space into a {@link ParsedOptions} without allocating: the hot-path twin of
 * {@link TcpOptions#parse}, with the same rules (EOL ends the list; a missing, short or overlong
 * length byte makes the space malformed; a known kind with a wrong length is skipped; an MPTCP
 * option its subtype's lengths refuse is counted and skipped).
 */
public final class TcpOptionScanner {
    private TcpOptionScanner() {}

    /**
     * Scans {@code [at, at + length)} of {@code b} (absolute indexes the caller has checked) into
     * {@code out}, which is cleared first. Returns {@code null}, or
     * {@link MibCounter#TCP_OPTION_MALFORMED} with {@code out.errorOffset} set.
     */
    public static MibCounter scan(ByteBuffer b, int at, int length, ParsedOptions out) {
        out.clear();
        int i = 0;
        while (i < length) {
            int kind = b.get(at + i) & 0xFF;
            if (kind == TcpOption.KIND_EOL) {
                break;
            }
            if (kind == TcpOption.KIND_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= length) {
                out.errorOffset = i;
                return MibCounter.TCP_OPTION_MALFORMED;
            }
            int olen = b.get(at + i + 1) & 0xFF;
            if (olen < 2 || i + olen > length) {
                out.errorOffset = i + 1;
                return MibCounter.TCP_OPTION_MALFORMED;
            }
            one(b, at + i, kind, olen, out);
            i += olen;
        }
        return null;
    }

    private static void one(ByteBuffer b, int q, int kind, int olen, ParsedOptions out) {
        switch (kind) {
            case TcpOption.KIND_MSS -> {
                if (olen == 4) {
                    out.mss = b.getShort(q + 2) & 0xFFFF;
                    return;
                }
            }
            case TcpOption.KIND_WINDOW_SCALE -> {
                if (olen == 3) {
                    out.windowScale = b.get(q + 2) & 0xFF;
                    return;
                }
            }
            case TcpOption.KIND_SACK_PERMITTED -> {
                if (olen == 2) {
                    out.sackPermitted = true;
                    return;
                }
            }
            case TcpOption.KIND_TIMESTAMPS -> {
                if (olen == 10) {
                    out.timestamps = true;
                    out.tsVal = b.getInt(q + 2);
                    out.tsEcr = b.getInt(q + 6);
                    return;
                }
            }
            case TcpOption.KIND_SACK -> {
                int n = (olen - 2) / 8;
                if ((olen - 2) % 8 == 0 && n >= 1 && n <= 4) {
                    out.sackBlocks = n;
                    for (int k = 0; k < 2 * n; k++) {
                        out.sackEdges[k] = b.getInt(q + 2 + 4 * k);
                    }
                    return;
                }
            }
            case TcpOption.KIND_MPTCP -> {
                mptcp(b, q, olen, out);
                return;
            }
            default -> { }
        }
        out.unknown++;
    }

    private static void mptcp(ByteBuffer b, int q, int olen, ParsedOptions out) {
        if (olen < 3) {
            out.mptcpMalformed++;
            return;
        }
        if ((b.get(q + 2) & 0xFF) >>> 4 != MptcpOption.SUBTYPE_DSS) {
            if (out.mptcpOthers < ParsedOptions.MAX_MPTCP_OPTIONS) {
                out.mptcpOtherOffsets[out.mptcpOthers++] = q;
            }
            return;
        }
        if (olen < 4) {
            out.mptcpMalformed++;
            return;
        }
        int flags = b.get(q + 3) & 0xFF;
        int expected = MptcpOptionCodec.dssLength(flags, false);
        boolean mapping = (flags & MptcpOptionCodec.DSS_MAPPING) != 0;
        boolean csum = mapping && olen == expected + 2;
        if (olen != expected && !csum) {
            out.mptcpMalformed++;
            return;
        }
        out.dss = true;
        out.dssFlags = flags;
        int p = q + 4;
        out.dataAck = 0;
        if ((flags & MptcpOptionCodec.DSS_DATA_ACK) != 0) {
            boolean ack64 = (flags & MptcpOptionCodec.DSS_DATA_ACK_64) != 0;
            out.dataAck = ack64 ? b.getLong(p) : b.getInt(p) & 0xFFFF_FFFFL;
            p += ack64 ? 8 : 4;
        }
        out.dsn = 0;
        out.subflowSeq = 0;
        out.dataLevelLength = 0;
        out.dssChecksum = ParsedOptions.ABSENT;
        if (mapping) {
            boolean dsn64 = (flags & MptcpOptionCodec.DSS_DSN_64) != 0;
            out.dsn = dsn64 ? b.getLong(p) : b.getInt(p) & 0xFFFF_FFFFL;
            p += dsn64 ? 8 : 4;
            out.subflowSeq = b.getInt(p);
            out.dataLevelLength = b.getShort(p + 4) & 0xFFFF;
            if (csum) {
                out.dssChecksum = b.getShort(p + 6) & 0xFFFF;
            }
        }
    }
}
