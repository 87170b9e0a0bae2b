package org.mptcp4j.cli.iperf3;

import java.io.PrintStream;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * iperf3's own options on {@code ./mptcp4j perf}, spelled as iperf3 spells them: {@code -s} or
 * {@code -c HOST} turn perf into an iperf3 server or client ({@link Iperf3Runner}); without them
 * perf runs its bulk transfers as before. The port is perf's {@code -p}/{@code --port}.
 */
public final class Iperf3Options {
    @Option(names = {"-s", "--server"}, description = "iperf3 server: serve iperf3 clients (e.g. 'mptcpize run iperf3 -c') from mptcp4j on the testbed's TUN.")
    boolean server;

    @Option(names = {"-c", "--client"}, paramLabel = "HOST", description = "iperf3 client: measure against the iperf3 server at HOST (e.g. 'mptcpize run iperf3 -s').")
    String client;

    @Option(names = {"-t", "--time"}, defaultValue = "10", description = "iperf3 client: seconds to transmit for (default ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "-n", paramLabel = "N[KMG]", description = "iperf3 client: bytes to transmit instead of -t (K, M, G: powers of 1024, as iperf3).")
    String bytes;

    @Option(names = {"-R", "--reverse"}, description = "iperf3 client: the server sends, the client receives.")
    boolean reverse;

    @Option(names = "--bidir", description = "iperf3 client: both directions at once.")
    boolean bidir;

    @Option(names = {"-P", "--parallel"}, defaultValue = "1", description = "iperf3 client: parallel streams (default ${DEFAULT-VALUE}).")
    int parallel;

    @Option(names = {"-l", "--length"}, paramLabel = "N[KMG]", description = "iperf3 client: bytes per write (default 128K).")
    String length;

    @Option(names = {"-i", "--interval"}, defaultValue = "1", description = "iperf3: seconds between interval lines, 0 for none (default ${DEFAULT-VALUE}).")
    double interval;

    @Option(names = {"-J", "--json"}, description = "iperf3: print one JSON document in iperf3's shape, with mptcp4j's per-subflow figures added.")
    boolean json;

    @Option(names = {"-1", "--one-off"}, description = "iperf3 server: serve one test, then exit with its outcome.")
    boolean oneOff;

    @Option(names = {"-B", "--bind"}, paramLabel = "ADDRESS", description = "iperf3: mptcp4j's local address (default: the testbed's path-A address).")
    String bind;

    @Option(names = "--connect-timeout", paramLabel = "MS", defaultValue = "0",
            description = "iperf3 client: give up connecting after MS milliseconds (default: as long as the stack retries SYNs).")
    int connectTimeoutMillis;

    /** True when -s or -c was given: perf speaks iperf3. */
    public boolean requested() {
        return server || client != null;
    }

    /** The client's test, or a usage error (a one-line message) for options that do not fit together. */
    TestSettings settings(PrintStream err) {
        if (reverse && bidir) {
            err.println("mptcp4j perf: -R and --bidir exclude each other (iperf3: cannot be both reverse and bidirectional)");
            return null;
        }
        try {
            long n = bytes == null ? 0 : parseSize(bytes);
            int len = length == null ? TestSettings.DEFAULT_TCP_BLOCK_BYTES : (int) parseSize(length);
            if (len < 1 || len > TestSettings.MAX_BLOCK_BYTES || parallel < 1 || parallel > TestSettings.MAX_STREAMS
                    || seconds < 0 || n < 0) {
                err.println("mptcp4j perf: -l must be 1.." + TestSettings.MAX_BLOCK_BYTES + ", -P 1.." + TestSettings.MAX_STREAMS
                        + ", -t and -n not negative");
                return null;
            }
            return new TestSettings(seconds, n, 0, parallel, reverse, bidir, len, 0, "");
        } catch (NumberFormatException e) {
            err.println("mptcp4j perf: not a size: " + e.getMessage() + " (a number, optionally followed by K, M or G)");
            return null;
        }
    }

    /** iperf3's unit_atoi: a number with an optional K, M, G or T (powers of 1024). */
    static long parseSize(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw new NumberFormatException("''");
        }
        long scale = switch (Character.toUpperCase(t.charAt(t.length() - 1))) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            case 'T' -> 1L << 40;
            default -> 1;
        };
        String number = scale == 1 ? t : t.substring(0, t.length() - 1);
        try {
            return (long) (Double.parseDouble(number.toLowerCase(Locale.ROOT)) * scale);
        } catch (NumberFormatException e) {
            throw new NumberFormatException("'" + text + "'");
        }
    }
}
