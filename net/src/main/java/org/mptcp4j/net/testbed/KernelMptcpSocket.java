package org.mptcp4j.net.testbed;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One MPTCP socket (the connection, Linux's msk) as {@code ss -Mni} shows it: the
 * {@code struct mptcp_info} that {@code getsockopt(SOL_MPTCP, MPTCP_INFO)} also returns, through
 * the kernel's sock_diag instead. {@code additionalSubflows} is {@code mptcpi_subflows}, the
 * subflows beside the initial one ({@code ss} prints it only when not 0). The byte counts are the
 * Linux 6.5 fields, printed only by an {@code ss} that knows them (0 otherwise, and when 0).
 */
public record KernelMptcpSocket(String local, String peer, long token, int additionalSubflows, boolean fallback,
        long bytesSent, long bytesAcked, long bytesReceived) {
    private static final Pattern TOKEN = Pattern.compile("\\btoken:([0-9a-f]+)");

    /** Parses {@code ss -MniH}: a line per socket ({@code STATE RECV-Q SEND-Q LOCAL PEER}), then an indented info line. */
    public static List<KernelMptcpSocket> parse(String ssOutput) {
        List<KernelMptcpSocket> result = new ArrayList<>();
        String[] lines = ssOutput.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            String head = lines[i];
            String info = lines[i + 1];
            if (head.isBlank() || Character.isWhitespace(head.charAt(0)) || !Character.isWhitespace(info.charAt(0))) {
                continue;
            }
            String[] w = head.strip().split("\\s+");
            Matcher t = TOKEN.matcher(info);
            long token = t.find() ? Long.parseLong(t.group(1), 16) : 0;
            result.add(new KernelMptcpSocket(w[3], w[4], token, (int) counter(info, "subflows"),
                    info.matches(".*\\bfallback\\b.*"), counter(info, "bytes_sent"), counter(info, "bytes_acked"),
                    counter(info, "bytes_received")));
            i++;
        }
        return result;
    }

    private static long counter(String info, String name) {
        Matcher m = Pattern.compile("(?<![_a-z])" + name + ":(\\d+)").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
