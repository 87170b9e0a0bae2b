package org.mptcp4j.net.testbed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The data stream one end of an MPTCP connection sent, rebuilt from a capture with payload by its
 * DSS mappings: each mapping ties subflow sequence numbers (relative to the subflow's ISN) to data
 * sequence numbers (RFC 8684 section 3.3.1), so each payload byte of each subflow lands at its offset
 * in the stream, whichever subflow carried it and however often. Offsets count from the first data
 * byte (tshark's relative DSN 1, which it derives from the keys in MP_CAPABLE: the capture must hold
 * the handshake). A payload byte is placed by the subflow's mapping that starts nearest before it; one
 * that mapping does not cover is counted in {@code unmapped}, a byte sent twice with different values
 * in {@code conflicts}.
 *
 * <p>What a kept capture is for: with the bytes the sender wrote and those the receiving application
 * read, it tells which end changed a stream. Bytes right at every offset in the capture but wrong in
 * the application are the receiver's doing.
 */
public record RebuiltStream(byte[] bytes, BitSet seen, long unmapped, long conflicts) {
    /**
     * Rebuilds the first {@code length} bytes of the stream sent by the packets that match the
     * display filter {@code sender} (e.g. {@code ip.dst == 198.18.1.2}: what reached that address).
     */
    public static RebuiltStream of(Path capture, String sender, int length) throws IOException {
        String rows = Shell.runForData("tshark", "-n", "-r", capture.toString(), "-o", "mptcp.analyze_mptcp:TRUE",
                "-o", "mptcp.relative_sequence_numbers:TRUE", "-o", "tcp.relative_sequence_numbers:TRUE",
                "-d", MptcpAnalysis.PAYLOAD_AS_DATA, "-Y", "tcp && (" + sender + ")", "-T", "fields",
                "-e", "tcp.stream", "-e", "tcp.seq", "-e", "tcp.options.mptcp.subflowseqno", "-e", "mptcp.dss.dsn",
                "-e", "tcp.options.mptcp.datalvllen", "-e", "tcp.payload");
        // Per subflow (tshark's tcp.stream): subflow sequence number -> the mapping starting there.
        Map<String, TreeMap<Long, long[]>> mappings = new HashMap<>();
        List<String[]> segments = new ArrayList<>();
        for (String row : rows.split("\n")) {
            String[] f = row.split("\t", -1);
            if (f.length < 6) {
                continue;
            }
            if (!f[2].isEmpty() && !f[3].isEmpty() && !f[4].isEmpty()) {
                String[] ssn = f[2].split(",");
                String[] dsn = f[3].split(",");
                String[] len = f[4].split(",");
                for (int i = 0; i < Math.min(ssn.length, Math.min(dsn.length, len.length)); i++) {
                    long l = Long.parseLong(len[i]);
                    if (l > 0) { // a mapping of length 0 maps no payload (a DATA_FIN alone)
                        mappings.computeIfAbsent(f[0], k -> new TreeMap<>())
                                .put(Long.parseLong(ssn[i]), new long[] {Long.parseLong(dsn[i]), l});
                    }
                }
            }
            if (!f[5].isEmpty()) {
                segments.add(f);
            }
        }
        byte[] bytes = new byte[length];
        BitSet seen = new BitSet(length);
        long unmapped = 0;
        long conflicts = 0;
        for (String[] f : segments) {
            byte[] payload = HexFormat.of().parseHex(f[5]);
            long seq = Long.parseLong(f[1]);
            TreeMap<Long, long[]> subflow = mappings.getOrDefault(f[0], new TreeMap<>());
            for (int i = 0; i < payload.length; i++) {
                var m = subflow.floorEntry(seq + i);
                if (m == null || seq + i >= m.getKey() + m.getValue()[1]) {
                    unmapped++;
                    continue;
                }
                long offset = m.getValue()[0] + (seq + i - m.getKey()) - 1;
                if (offset < 0 || offset >= length) {
                    continue;
                }
                int at = (int) offset;
                if (seen.get(at) && bytes[at] != payload[i]) {
                    conflicts++;
                }
                bytes[at] = payload[i];
                seen.set(at);
            }
        }
        return new RebuiltStream(bytes, seen, unmapped, conflicts);
    }

    /** Offsets of the stream the capture held no byte for. */
    public int missing() {
        return bytes.length - seen.cardinality();
    }

    /** Offsets the capture held a byte for that differs from {@code expected}'s. */
    public List<Integer> differences(byte[] expected) {
        List<Integer> d = new ArrayList<>();
        for (int i = seen.nextSetBit(0); i >= 0 && i < expected.length; i = seen.nextSetBit(i + 1)) {
            if (bytes[i] != expected[i]) {
                d.add(i);
            }
        }
        return d;
    }

    /** Offsets where {@code read} (what an application read) differs from {@code expected}, and where it ends early or late. */
    public static List<Integer> differences(byte[] expected, byte[] read) {
        List<Integer> d = new ArrayList<>();
        for (int i = 0; i < Math.max(expected.length, read.length); i++) {
            if (i >= expected.length || i >= read.length || expected[i] != read[i]) {
                d.add(i);
            }
        }
        return d;
    }
}
