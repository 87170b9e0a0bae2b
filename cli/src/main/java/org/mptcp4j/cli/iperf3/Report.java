package org.mptcp4j.cli.iperf3;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * What a test prints: iperf3's text lines (iperf_locale.c's formats: interval lines with Retr and
 * Cwnd for a sender, the separator, the sender and receiver summary lines, [TX-C]/[RX-S] roles for
 * --bidir) or, with -J, one JSON document of iperf3's shape ({@code start}, {@code intervals},
 * {@code end}) printed at the end, to which {@code mptcp4j} adds an object of its own.
 */
final class Report {
    static final String SEPARATOR = "- - - - - - - - - - - - - - - - - - - - - - - - -";

    private final PrintStream out;
    private final boolean json;
    private final boolean client;
    private final ObjectNode root = ControlChannel.JSON.createObjectNode();
    private final ObjectNode start = root.putObject("start");
    private final ArrayNode connected = start.putArray("connected");
    private final ArrayNode intervals = root.putArray("intervals");
    private boolean bidir;

    Report(PrintStream out, boolean json, boolean client) {
        this.out = out;
        this.json = json;
        this.client = client;
    }

    boolean isJson() {
        return json;
    }

    ObjectNode root() {
        return root;
    }

    ObjectNode start() {
        return start;
    }

    void bidirectional(boolean on) {
        bidir = on;
    }

    /** A line of text output; nothing with -J, where only the JSON document is printed. */
    void line(String format, Object... args) {
        if (!json) {
            out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
            out.flush();
        }
    }

    void connected(DataStream s, InetSocketAddress local, InetSocketAddress remote) {
        line("[%3d] local %s port %d connected to %s port %d", s.id(), local.getAddress().getHostAddress(), local.getPort(),
                remote.getAddress().getHostAddress(), remote.getPort());
        ObjectNode c = connected.addObject();
        c.put("socket", s.id());
        c.put("local_host", local.getAddress().getHostAddress());
        c.put("local_port", local.getPort());
        c.put("remote_host", remote.getAddress().getHostAddress());
        c.put("remote_port", remote.getPort());
    }

    String role(DataStream s) {
        if (!bidir) {
            return "";
        }
        return "[" + (s.isSender() ? "TX" : "RX") + "-" + (client ? "C" : "S") + "]";
    }

    /** The column header: Retr and Cwnd over a sender's intervals, Retr alone over a summary with sender lines. */
    void header(boolean intervalTcpColumns, boolean summaryRetr) {
        String id = bidir ? "[ ID][Role]" : "[ ID]";
        line(id + " Interval           Transfer     Bitrate" + (summaryRetr ? "         Retr" : intervalTcpColumns ? "         Retr  Cwnd" : ""));
    }

    /** One measured row, of an interval or of the summary. */
    record Row(DataStream stream, double startSeconds, double endSeconds, long bytes, Transport.TcpSample tcp,
            long retransmits) {
        double seconds() {
            return endSeconds - startSeconds;
        }

        double bytesPerSecond() {
            return seconds() <= 0 ? 0 : bytes / seconds();
        }
    }

    void intervalRow(Row r) {
        String head = String.format(Locale.ROOT, "[%3d]%s %6.2f-%-6.2f sec  %ss  %ss/sec", r.stream().id(), role(r.stream()),
                r.startSeconds(), r.endSeconds(), Units.bytes(r.bytes()), Units.bitsPerSecond(r.bytesPerSecond()));
        if (r.tcp() != null) {
            line("%s  %3d   %ss       ", head, r.retransmits(), Units.bytes(r.tcp().cwndBytes()));
        } else {
            line("%s                  ", head);
        }
    }

    void summaryRow(Row r, boolean withRetransmits, String who) {
        String head = String.format(Locale.ROOT, "[%3d]%s %6.2f-%-6.2f sec  %ss  %ss/sec", r.stream().id(), role(r.stream()),
                r.startSeconds(), r.endSeconds(), Units.bytes(r.bytes()), Units.bitsPerSecond(r.bytesPerSecond()));
        if (withRetransmits) {
            line("%s  %3d             %s", head, r.retransmits(), who);
        } else {
            line("%s                  %s", head, who);
        }
    }

    void sumRow(String tag, double startSeconds, double endSeconds, long bytes, long retransmits, String who) {
        double rate = endSeconds - startSeconds <= 0 ? 0 : bytes / (endSeconds - startSeconds);
        String head = String.format(Locale.ROOT, "[SUM]%s %6.2f-%-6.2f sec  %ss  %ss/sec", tag, startSeconds, endSeconds,
                Units.bytes(bytes), Units.bitsPerSecond(rate));
        line(retransmits >= 0 ? "%s  %3d             %s" : "%s                  %s", retransmits >= 0
                ? new Object[] {head, retransmits, who} : new Object[] {head, who});
    }

    /** A row in iperf3's JSON: start, end, seconds, bytes, bits_per_second, then the TCP figures of a sender. */
    static ObjectNode rowJson(ObjectNode o, Row r, boolean withSocket) {
        if (withSocket) {
            o.put("socket", r.stream().id());
        }
        o.put("start", r.startSeconds());
        o.put("end", r.endSeconds());
        o.put("seconds", r.seconds());
        o.put("bytes", r.bytes());
        o.put("bits_per_second", r.bytesPerSecond() * 8);
        return o;
    }

    ArrayNode intervals() {
        return intervals;
    }

    /** With -J, the whole document, pretty-printed like iperf3's. */
    void printJson() {
        if (json) {
            try {
                out.println(ControlChannel.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("a tree of plain JSON nodes always serialises", e);
            }
            out.flush();
        }
    }
}
