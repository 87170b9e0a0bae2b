package org.mptcp4j.net.testbed;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One subflow of a live kernel MPTCP connection as {@code ss -tni} shows it: a TCP socket whose info
 * line carries {@code tcp-ulp-mptcp}. {@code localToken} is the token of the MPTCP connection it
 * belongs to on this host (the one {@code ss -M} prints), so subflows of one connection share it;
 * {@code join} is true for subflows opened with MP_JOIN. Byte counts are the subflow's
 * {@code tcp_info}: {@code bytes_acked} counts the SYN too, so an idle subflow shows 1.
 */
public record KernelSubflow(String local, String peer, long localToken, int localId, long remoteToken, int remoteId,
        boolean join, long bytesSent, long bytesAcked, long bytesReceived) {
    // ss prints token:REMOTE(id:R)/LOCAL(id:L), the tokens in hex (the remote one of an MP_CAPABLE subflow is 0).
    private static final Pattern TOKEN = Pattern.compile("token:([0-9a-f]+)\\(id:(\\d+)\\)/([0-9a-f]+)\\(id:(\\d+)\\)");
    private static final Pattern FLAGS = Pattern.compile("\\bflags:([A-Za-z]*)");

    /**
     * Parses {@code ss -tniH} output: one line per socket ({@code STATE RECV-Q SEND-Q LOCAL PEER}),
     * followed by an indented info line; sockets without {@code tcp-ulp-mptcp} are plain TCP and skipped.
     */
    public static List<KernelSubflow> parse(String ssOutput) {
        List<KernelSubflow> result = new ArrayList<>();
        String[] lines = ssOutput.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            String head = lines[i];
            String info = lines[i + 1];
            if (head.isBlank() || Character.isWhitespace(head.charAt(0)) || !info.contains("tcp-ulp-mptcp")) {
                continue;
            }
            String[] w = head.strip().split("\\s+");
            Matcher t = TOKEN.matcher(info);
            if (w.length < 5 || !t.find()) {
                continue;
            }
            Matcher f = FLAGS.matcher(info.substring(info.indexOf("tcp-ulp-mptcp")));
            // ss's subflow flags: J/j = MP_JOIN seen from the peer/sent by us, M/m the same for MP_CAPABLE.
            boolean join = f.find() && (f.group(1).contains("J") || f.group(1).contains("j"));
            result.add(new KernelSubflow(w[3], w[4], Long.parseLong(t.group(3), 16), Integer.parseInt(t.group(4)),
                    Long.parseLong(t.group(1), 16), Integer.parseInt(t.group(2)), join,
                    counter(info, "bytes_sent"), counter(info, "bytes_acked"), counter(info, "bytes_received")));
            i++;
        }
        return result;
    }

    /** The local address without port or {@code %dev} scope, e.g. {@code 198.18.2.254}. */
    public String localAddress() {
        return host(local);
    }

    public String peerAddress() {
        return host(peer);
    }

    private static String host(String endpoint) {
        String h = endpoint.substring(0, endpoint.lastIndexOf(':'));
        int scope = h.indexOf('%');
        h = scope < 0 ? h : h.substring(0, scope);
        return h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
    }

    private static long counter(String info, String name) {
        Matcher m = Pattern.compile("\\b" + name + ":(\\d+)").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
