package org.mptcp4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MainTest {
    private static final Pattern SUBFLOW_LINE = Pattern.compile("^\\[([AB]) .*Mbit/s .*KiB .* ms .*$");
    private static final Pattern GOODPUT = Pattern.compile("Goodput: ([0-9.]+) Mbit/s of ([0-9.]+) Mbit/s");

    record Out(int code, String text) {}

    @Test
    void demo_twoEqualPaths_oneMptcpConnectionAggregatesBoth() {
        // Two equal 20 Mbit/s paths, 10 ms each way, no loss; one path alone carries at most 20 Mbit/s.
        Out out = run("demo", "--megabytes", "8", "--seed", "3", "--rate-a", "20", "--rate-b", "20",
                "--delay-a", "10", "--delay-b", "10", "--loss-b", "0");
        assertThat(out.code).as(out.text).isZero();
        assertThat(out.text).contains("mptcp4j 0.1.0", "Connection: MPTCP, 2 subflows");
        List<String> lines = out.text.lines().toList();
        assertThat(lines.stream().filter(l -> l.startsWith("[A "))).as(out.text).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines.stream().filter(l -> l.startsWith("[B "))).as(out.text).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines.stream().filter(l -> SUBFLOW_LINE.matcher(l).matches())).as(out.text).isNotEmpty();
        assertThat(out.text).containsPattern("SHA-256 received [0-9a-f]{64}  equal");
        assertThat(out.text).contains("MPTcpExtMPJoinSynTx=1", "MPTcpExtMPJoinAckRx=1", "MPTcpExtMPCapableSYNRX=1");
        Matcher m = GOODPUT.matcher(out.text);
        assertThat(m.find()).as(out.text).isTrue();
        assertThat(Double.parseDouble(m.group(2))).isEqualTo(40.0);
        assertThat(Double.parseDouble(m.group(1))).as("aggregated goodput, Mbit/s\n%s", out.text).isGreaterThan(20.0 * 1.2);
    }

    @Test
    void demo_smallQueues_theSourceStopsFillingItsOwnQueues() {
        String[] args = {"demo", "--megabytes", "8", "--seed", "3", "--rate-a", "20", "--rate-b", "20",
            "--delay-a", "10", "--delay-b", "10", "--loss-b", "0"};
        Out without = run(args);
        Out with = run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.stream.Stream.of("--small-queues"))
                .toArray(String[]::new));
        assertThat(with.code).as(with.text).isZero();
        assertThat(with.text).containsPattern("SHA-256 received [0-9a-f]{64}  equal");
        assertThat(with.text).contains("Source's own link queues: 0 + 0 packets dropped (paths A + B; TCP Small Queues on)");
        assertThat(without.text).containsPattern("Source's own link queues: [0-9]+ \\+ [0-9]+ packets dropped .*TCP Small Queues off");
        Matcher m = GOODPUT.matcher(with.text);
        assertThat(m.find()).as(with.text).isTrue();
        assertThat(Double.parseDouble(m.group(1))).as("aggregated goodput, Mbit/s\n%s", with.text).isGreaterThan(20.0 * 1.2);
        // The sender's smoothed RTT stays near the paths' 20 ms instead of growing with its own queue.
        assertThat(maxSrttMs(with.text)).as(with.text).isLessThan(100);
        assertThat(maxSrttMs(without.text)).as(without.text).isGreaterThan(2 * maxSrttMs(with.text));
    }

    /** The largest srtt of the per-subflow interval lines, ms. */
    private static double maxSrttMs(String text) {
        Matcher m = java.util.regex.Pattern.compile("([0-9.]+) ms +[0-9]+$", java.util.regex.Pattern.MULTILINE).matcher(text);
        double max = 0;
        while (m.find()) {
            max = Math.max(max, Double.parseDouble(m.group(1)));
        }
        return max;
    }

    @Test
    void demo_sameSeed_sameLines() {
        String[] args = {"demo", "--megabytes", "2", "--seed", "5"};
        assertThat(withoutWallTime(run(args).text)).isEqualTo(withoutWallTime(run(args).text));
    }

    @Test
    void demo_noMptcp_onePlainTcpConnectionOnPathA() {
        Out out = run("demo", "--megabytes", "2", "--seed", "3", "--no-mptcp");
        assertThat(out.code).as(out.text).isZero();
        assertThat(out.text).contains("Connection: PLAIN, 1 subflow;");
        assertThat(out.text.lines().filter(l -> l.startsWith("[B "))).isEmpty();
        assertThat(out.text).containsPattern("SHA-256 received [0-9a-f]{64}  equal");
    }

    private static String withoutWallTime(String text) {
        return text.replaceAll("in [0-9.]+ s of wall time.*", "");
    }

    static Out run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            return new Out(Main.run(args), buf.toString());
        } finally {
            System.setOut(saved);
        }
    }
}
