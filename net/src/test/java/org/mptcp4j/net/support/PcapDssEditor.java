package org.mptcp4j.net.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Breaks the DSS option of one packet in a classic little-endian pcap of raw IPv4 (link type RAW, as
 * the project's Linux capture), so that a checker can be shown a capture with a real MPTCP problem.
 * The TCP checksum is left as it was (tshark does not verify it by default).
 */
public final class PcapDssEditor {
    private PcapDssEditor() {}

    /** What to do to the DSS option of the chosen packet. */
    public enum Edit {
        /** Keep only the Data ACK (length 8, flag A) and pad with NOPs: the payload loses its mapping. */
        DROP_MAPPING,
        /** Add 1000 to the mapping's subflow sequence number: the mapping no longer covers the payload. */
        SHIFT_SUBFLOW_SEQUENCE
    }

    /** Copies {@code in} to {@code out} with {@code edit} applied to the DSS of packet {@code frame} (1-based). */
    public static void edit(Path in, Path out, int frame, Edit edit) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(in)).order(ByteOrder.LITTLE_ENDIAN);
        int off = 24; // the pcap file header
        for (int n = 1; off < b.limit(); n++) {
            int captured = b.getInt(off + 8);
            int ip = off + 16;
            if (n == frame) {
                editDss(b.order(ByteOrder.BIG_ENDIAN), ip, edit);
                Files.write(out, b.array());
                return;
            }
            off = ip + captured;
        }
        throw new IOException("no packet " + frame + " in " + in);
    }

    private static void editDss(ByteBuffer b, int ip, Edit edit) throws IOException {
        int tcp = ip + (b.get(ip) & 0x0f) * 4;
        int end = tcp + ((b.get(tcp + 12) & 0xf0) >> 4) * 4;
        for (int o = tcp + 20; o < end; ) {
            int kind = b.get(o) & 0xff;
            if (kind == 0 || kind == 1) {
                o++;
                continue;
            }
            int len = b.get(o + 1) & 0xff;
            // RFC 8684 section 3.3: kind 30, subtype 2 (DSS) in the high nibble; flags A=1, a=2, M=4, m=8.
            if (kind == 30 && (b.get(o + 2) & 0xf0) >> 4 == 2) {
                int flags = b.get(o + 3);
                if ((flags & 0x5) != 0x5) {
                    throw new IOException("the DSS has no Data ACK and mapping to edit");
                }
                if (edit == Edit.DROP_MAPPING) {
                    b.put(o + 1, (byte) 8).put(o + 3, (byte) (flags & 0x1)); // a 4-byte Data ACK only
                    for (int i = 8; i < len; i++) {
                        b.put(o + i, (byte) 1);
                    }
                } else {
                    int ssn = o + 4 + ((flags & 0x2) != 0 ? 8 : 4) + ((flags & 0x8) != 0 ? 8 : 4);
                    b.putInt(ssn, b.getInt(ssn) + 1000);
                }
                return;
            }
            o += len;
        }
        throw new IOException("the packet has no DSS option");
    }
}
