package org.mptcp4j.net.testbed;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * tshark's MPTCP analysis of a capture: how much MPTCP it saw and which of its expert findings are
 * problems. Runs {@code tshark -r FILE} with {@link #PREFERENCES} (MPTCP analysis and DSS mapping
 * analysis on, TCP sequence analysis on), one pass, {@code -T fields}.
 *
 * <p>A problem is a packet with one of tshark's MPTCP expert fields ({@link #PROBLEM_FIELDS}: a
 * payload not covered by any DSS mapping, a fallback to an infinite mapping, a key echo mismatch or a
 * missing/unsupported crypto algorithm in MP_CAPABLE) or a packet tshark could not dissect
 * ({@code _ws.malformed}, which includes assertions of its mapping code on inconsistent mappings;
 * payload is read as plain data, {@link #PAYLOAD_AS_DATA}, not by the dissector of whatever protocol its port is registered for).
 * tshark 4.0 also flags segments <em>without</em> payload (pure ACKs, FINs) as "No mapping available"
 * once the subflow's last mapping has ended; a mapping covers payload only (RFC 8684 section 3.3.1),
 * so those are counted in {@code zeroLengthWithoutMapping} and are not problems. tshark does not
 * verify DSS checksums; {@code dssChecksums} counts the DSS mappings that carry one.
 */
public record MptcpAnalysis(int tcpSegments, int mptcpSegments, int dssMappings, int dssChecksums, int subflows,
        int connections, int zeroLengthWithoutMapping, List<Problem> problems) {
    /** The {@code -o} preferences the analysis runs with. */
    public static final List<String> PREFERENCES = List.of("mptcp.analyze_mptcp:TRUE", "mptcp.analyze_mappings:TRUE",
            "tcp.analyze_sequence_numbers:TRUE", "mptcp.relative_sequence_numbers:TRUE");

    /** tshark 4.0's MPTCP expert fields ({@code tshark -G fields}, type FT_NONE under {@code mptcp.}). */
    public static final List<String> PROBLEM_FIELDS = List.of("mptcp.dss.missing_mapping", "mptcp.dss.infinite_mapping",
            "mptcp.connection.echoed_key_mismatch", "mptcp.connection.missing_algorithm",
            "mptcp.connection.unsupported_algorithm", "_ws.malformed");

    /**
     * Every TCP port's payload decoded as plain data. The tests' payload is pseudo-random bytes, and
     * a subflow's ephemeral port may be one tshark has a dissector for: with port 48049 (CBSP) that
     * dissector threw on them and tshark reported {@code _ws.malformed}, a problem of neither end.
     */
    static final String PAYLOAD_AS_DATA = "tcp.port==1-65535,data";

    /** One problem: the frame (1-based, as tshark numbers them), the expert field, tshark's messages. */
    public record Problem(long frame, String field, String message) {}

    public MptcpAnalysis {
        problems = List.copyOf(problems);
    }

    /** True when tshark found no MPTCP problem. */
    public boolean clean() {
        return problems.isEmpty();
    }

    /** Analyses {@code capture} (pcap or pcapng) with tshark. */
    public static MptcpAnalysis of(Path capture) throws IOException {
        return of(capture, "tcp");
    }

    /**
     * Analyses the whole capture but counts and reports only the packets that match the display
     * filter (e.g. {@code ip.src == 198.18.1.2}: one sender); tshark still tracks every packet.
     */
    public static MptcpAnalysis of(Path capture, String displayFilter) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString()));
        for (String pref : PREFERENCES) {
            cmd.addAll(List.of("-o", pref));
        }
        cmd.addAll(List.of("-d", PAYLOAD_AS_DATA));
        cmd.addAll(List.of("-Y", "tcp && (" + displayFilter + ")", "-T", "fields", "-E", "separator=/t"));
        List<String> fields = new ArrayList<>(List.of("frame.number", "tcp.stream", "mptcp.stream", "tcp.len",
                "tcp.options.mptcp.subtype", "tcp.options.mptcp.dseqnpresent.flag", "tcp.options",
                "_ws.expert.message"));
        fields.addAll(PROBLEM_FIELDS);
        for (String f : fields) {
            cmd.addAll(List.of("-e", f));
        }
        return parse(Shell.runForData(cmd.toArray(String[]::new)));
    }

    /** Parses the tab-separated rows of {@link #of}, in its field order. */
    static MptcpAnalysis parse(String rows) {
        int tcp = 0;
        int mptcp = 0;
        int mappings = 0;
        int checksums = 0;
        int zeroLength = 0;
        Set<String> subflows = new HashSet<>();
        Set<String> connections = new HashSet<>();
        List<Problem> problems = new ArrayList<>();
        for (String line : rows.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] c = line.split("\t", -1);
            tcp++;
            boolean hasMptcp = !c[4].isEmpty();
            if (hasMptcp) {
                mptcp++;
                subflows.add(c[1]);
            }
            if (!c[2].isEmpty()) {
                connections.add(c[2]);
            }
            if (List.of(c[5].split(",")).contains("1")) {
                mappings++;
            }
            if (dssHasChecksum(c[6])) {
                checksums++;
            }
            long payload = c[3].isEmpty() ? 0 : Long.parseLong(c[3]);
            for (int i = 0; i < PROBLEM_FIELDS.size(); i++) {
                String field = PROBLEM_FIELDS.get(i);
                if (c[8 + i].isEmpty()) {
                    continue;
                }
                if (field.equals("mptcp.dss.missing_mapping") && payload == 0) {
                    zeroLength++;
                } else {
                    problems.add(new Problem(Long.parseLong(c[0]), field, c[7]));
                }
            }
        }
        return new MptcpAnalysis(tcp, mptcp, mappings, checksums, subflows.size(), connections.size(), zeroLength, problems);
    }

    /**
     * True when the raw TCP options (hex) hold a DSS with a mapping and a checksum. Read from the
     * option's length (RFC 8684 section 3.3: the checksum is the 2 bytes after the data-level length)
     * because tshark 4.0 did not show {@code tcp.options.mptcp.checksum} on the DSS options of a
     * Linux connection where only the client had set flag A in MP_CAPABLE, which by RFC 8684
     * section 3.1 makes checksums required in both directions (and Linux sent them).
     */
    static boolean dssHasChecksum(String optionsHex) {
        byte[] o = java.util.HexFormat.of().parseHex(optionsHex.replace(":", ""));
        for (int i = 0; i < o.length; ) {
            int kind = o[i] & 0xff;
            if (kind == 0 || kind == 1 || i + 1 >= o.length) {
                i++;
                continue;
            }
            int len = o[i + 1] & 0xff;
            if (len < 2) {
                return false;
            }
            if (kind == 30 && i + 3 < o.length && (o[i + 2] & 0xf0) >> 4 == 2) {
                int flags = o[i + 3];
                boolean mapping = (flags & 0x04) != 0;
                int ack = (flags & 0x01) == 0 ? 0 : (flags & 0x02) != 0 ? 8 : 4;
                int withoutChecksum = 4 + ack + (mapping ? ((flags & 0x08) != 0 ? 8 : 4) + 4 + 2 : 0);
                return mapping && len == withoutChecksum + 2;
            }
            i += len;
        }
        return false;
    }

    /** A one-paragraph summary, with the first problems. */
    public String summary() {
        StringBuilder s = new StringBuilder(String.format(
                "%d TCP segments, %d with MPTCP options, %d DSS mappings, %d DSS checksums, %d subflows in %d MPTCP connections; "
                        + "%d problems (%d zero-length segments without mapping not counted)",
                tcpSegments, mptcpSegments, dssMappings, dssChecksums, subflows, connections, problems.size(), zeroLengthWithoutMapping));
        problems.stream().limit(10).forEach(p -> s.append("\n  frame ").append(p.frame()).append(": ")
                .append(p.field()).append(" (").append(p.message()).append(')'));
        return s.toString();
    }
}
