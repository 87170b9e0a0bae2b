package org.mptcp4j.net.perf;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

/**
 * Goodput and RTOs under random loss inside the path, mptcp4j beside the kernel in the same run
 * (issue 11's targets). For each loss level and offload setting it brings up a testbed of its own
 * (random loss on both paths, both directions, see {@link Testbed}), runs four one-way transfers on
 * path A and removes the testbed:
 * <ul>
 *   <li>kernel -> kernel, the router's kernel to the kernel side: the reference for mptcp4j sending;</li>
 *   <li>mptcp4j -> kernel, mptcp4j on the TUN (GSO out, receive offload) to a kernel server;</li>
 *   <li>kernel -> kernel (reverse), the kernel side to the router's kernel: the reference for mptcp4j receiving;</li>
 *   <li>kernel -> mptcp4j, a kernel server sending to an mptcp4j client on the TUN.</li>
 * </ul>
 * Each transfer stops at {@code maxBytes} or after {@code maxSeconds} of sending, whichever comes
 * first. Goodput is taken at the receiver (bytes over its first to last read). RTOs are the
 * sender's: {@code TcpExtTCPTimeouts} from nstat in a kernel sender's namespace, the same counter
 * from mptcp4j's own MIB ({@link MptcpHost#counters()}) when mptcp4j sends.
 */
public final class LossBenchmark {
    private LossBenchmark() {}

    public static final String TIMEOUTS = "TcpExtTCPTimeouts";
    public static final String RETRANS_SEGS = "TcpRetransSegs";

    /** One testbed configuration of the matrix. */
    public record Setting(double lossPercent, boolean offload) {
        public String label() {
            return TestbedConfig.formatLoss(lossPercent) + ", offload " + (offload ? "on" : "off");
        }
    }

    public enum Direction {
        KERNEL_TO_KERNEL("kernel -> kernel"),
        MPTCP4J_TO_KERNEL("mptcp4j -> kernel"),
        KERNEL_TO_KERNEL_REVERSE("kernel -> kernel (reverse)"),
        KERNEL_TO_MPTCP4J("kernel -> mptcp4j");

        final String label;

        Direction(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The kernel-to-kernel run in the same direction across the path as this one. */
        public Direction reference() {
            return this == MPTCP4J_TO_KERNEL || this == KERNEL_TO_KERNEL ? KERNEL_TO_KERNEL : KERNEL_TO_KERNEL_REVERSE;
        }
    }

    /**
     * One measured transfer.
     *
     * @param bytes       bytes the receiver got
     * @param seconds     the receiver's first to last read
     * @param rtos        the sender's retransmission timeouts
     * @param retransSegs the sender's retransmitted segments
     * @param error       null when the transfer completed with equal SHA-256 at both ends
     */
    public record Row(Setting setting, Direction direction, long bytes, double seconds, long rtos, long retransSegs, String error) {
        public double goodputMbps() {
            return seconds > 0 ? bytes * 8 / seconds / 1e6 : 0;
        }

        public double rtosPer100MB() {
            return bytes > 0 ? rtos * 1e8 / bytes : 0;
        }

        public double retransPer100MB() {
            return bytes > 0 ? retransSegs * 1e8 / bytes : 0;
        }
    }

    /** Runs the matrix; prints each row to {@code progress} as it completes. */
    public static List<Row> run(List<Setting> settings, long maxBytes, double maxSeconds, int port, PrintStream progress)
            throws IOException {
        List<Row> rows = new ArrayList<>();
        for (Setting setting : settings) {
            TestbedConfig config = TestbedConfig.defaults(Testbed.newId())
                    .withLoss(setting.lossPercent(), setting.lossPercent()).withOffload(setting.offload());
            Testbed t = Testbed.up(config);
            try {
                for (Direction d : Direction.values()) {
                    Row r;
                    try {
                        r = switch (d) {
                            case KERNEL_TO_KERNEL -> kernelToKernel(setting, t, false, maxBytes, maxSeconds, port);
                            case KERNEL_TO_KERNEL_REVERSE -> kernelToKernel(setting, t, true, maxBytes, maxSeconds, port);
                            case MPTCP4J_TO_KERNEL -> mptcp4jToKernel(setting, t, maxBytes, maxSeconds, port);
                            case KERNEL_TO_MPTCP4J -> kernelToMptcp4j(setting, t, maxBytes, maxSeconds, port);
                        };
                    } catch (IOException | RuntimeException e) {
                        r = new Row(setting, d, 0, 0, 0, 0, String.valueOf(e.getMessage()));
                    }
                    rows.add(r);
                    progress.println(format(r, rows));
                }
            } finally {
                Testbed.down(config.id());
            }
        }
        return rows;
    }

    static long timeoutSeconds(double maxSeconds) {
        return (long) (maxSeconds * 4) + 60;
    }

    private static Row kernelToKernel(Setting setting, Testbed t, boolean reverse, long maxBytes, double maxSeconds, int port)
            throws IOException {
        TestbedLayout l = t.layout();
        String serverNs = reverse ? l.mptcp4jNamespace() : l.kernelNamespace();
        String clientNs = reverse ? l.kernelNamespace() : l.mptcp4jNamespace();
        String serverAddress = (reverse ? l.routerAddressA() : l.kernelAddressA()).getHostAddress();
        String timeout = Long.toString(timeoutSeconds(maxSeconds));
        Map<String, Long> before = Nstat.read(clientNs);
        try (KernelPeer server = KernelPeer.start(serverNs, "server", "--bind", serverAddress,
                "--port", Integer.toString(port), "--timeout", timeout)) {
            server.awaitListening();
            try (KernelPeer client = KernelPeer.start(clientNs, "client", "--connect", serverAddress,
                    "--port", Integer.toString(port), "--send", Long.toString(maxBytes),
                    "--duration", Double.toString(maxSeconds), "--timeout", timeout)) {
                Map<String, String> c = client.awaitResult(timeoutSeconds(maxSeconds) + 30);
                Map<String, String> s = server.awaitResult(timeoutSeconds(maxSeconds) + 30);
                Map<String, Long> d = Nstat.delta(before, Nstat.read(clientNs));
                String error = c.containsKey("error") || s.containsKey("error") ? "reset"
                        : String.valueOf(c.get("sent_sha256")).equals(s.get("received_sha256")) ? null : "SHA-256 differs";
                return new Row(setting, reverse ? Direction.KERNEL_TO_KERNEL_REVERSE : Direction.KERNEL_TO_KERNEL,
                        Long.parseLong(s.getOrDefault("received", "0")), Double.parseDouble(s.getOrDefault("received_seconds", "0")),
                        d.getOrDefault(TIMEOUTS, 0L), d.getOrDefault(RETRANS_SEGS, 0L), error);
            }
        }
    }

    private static MptcpHost openHost(Testbed t) throws IOException {
        TestbedLayout l = t.layout();
        TunLink link = new TunLink(t.openTun(true, true), true);
        return MptcpHost.start("loss-bench", StackConfig.defaults(), new SecureRng(), link,
                List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()), null, null);
    }

    /** Aborts the socket if the transfer has not finished in time, so that a stalled run fails instead of hanging. */
    static Thread watchdog(MptcpSocket s, long seconds) {
        return Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(seconds * 1000);
                s.abort();
            } catch (InterruptedException finished) {
                // the transfer ended in time
            } catch (IOException ignored) {
                // the socket is gone already
            }
        });
    }

    private static Row mptcp4jToKernel(Setting setting, Testbed t, long maxBytes, double maxSeconds, int port) throws IOException {
        TestbedLayout l = t.layout();
        try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--bind", l.kernelAddressA().getHostAddress(),
                "--port", Integer.toString(port), "--timeout", Long.toString(timeoutSeconds(maxSeconds)));
                MptcpHost host = openHost(t)) {
            server.awaitListening();
            Map<String, Long> before = host.counters();
            Transfers.Result sent;
            try (MptcpSocket s = new MptcpSocket(host)) {
                Thread dog = watchdog(s, timeoutSeconds(maxSeconds));
                try {
                    s.bind(new InetSocketAddress(l.mptcp4jAddressA(), 0));
                    s.connect(new InetSocketAddress(l.kernelAddressA(), port), 10_000);
                    sent = Transfers.send(s.getOutputStream(), maxBytes, 1, (long) (maxSeconds * 1e9));
                    s.shutdownOutput();
                    Transfers.receive(s.getInputStream());
                } finally {
                    dog.interrupt();
                }
            }
            Map<String, String> k = server.awaitResult(timeoutSeconds(maxSeconds) + 30);
            Map<String, Long> d = Nstat.delta(before, host.counters());
            String error = k.containsKey("error") ? "reset" : sent.sha256().equals(k.get("received_sha256")) ? null : "SHA-256 differs";
            return new Row(setting, Direction.MPTCP4J_TO_KERNEL, Long.parseLong(k.getOrDefault("received", "0")),
                    Double.parseDouble(k.getOrDefault("received_seconds", "0")),
                    d.getOrDefault(TIMEOUTS, 0L), d.getOrDefault(RETRANS_SEGS, 0L), error);
        }
    }

    private static Row kernelToMptcp4j(Setting setting, Testbed t, long maxBytes, double maxSeconds, int port) throws IOException {
        TestbedLayout l = t.layout();
        Map<String, Long> before = Nstat.read(l.kernelNamespace());
        try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--bind", l.kernelAddressA().getHostAddress(),
                "--port", Integer.toString(port), "--send", Long.toString(maxBytes), "--duration", Double.toString(maxSeconds),
                "--timeout", Long.toString(timeoutSeconds(maxSeconds)));
                MptcpHost host = openHost(t)) {
            server.awaitListening();
            Transfers.Result received;
            try (MptcpSocket s = new MptcpSocket(host)) {
                Thread dog = watchdog(s, timeoutSeconds(maxSeconds));
                try {
                    s.bind(new InetSocketAddress(l.mptcp4jAddressA(), 0));
                    s.connect(new InetSocketAddress(l.kernelAddressA(), port), 10_000);
                    s.shutdownOutput();
                    received = Transfers.receive(s.getInputStream());
                } finally {
                    dog.interrupt();
                }
            }
            Map<String, String> k = server.awaitResult(timeoutSeconds(maxSeconds) + 30);
            Map<String, Long> d = Nstat.delta(before, Nstat.read(l.kernelNamespace()));
            String error = k.containsKey("error") ? "reset"
                    : received.sha256().equals(k.get("sent_sha256")) && received.bytes() == Long.parseLong(k.getOrDefault("sent", "-1"))
                    ? null : "SHA-256 or length differs";
            return new Row(setting, Direction.KERNEL_TO_MPTCP4J, received.bytes(), received.nanos() / 1e9,
                    d.getOrDefault(TIMEOUTS, 0L), d.getOrDefault(RETRANS_SEGS, 0L), error);
        }
    }

    /**
     * Per setting and direction, the median over rounds of goodput, RTOs and retransmissions per
     * 100 MB (each median taken on its own), with the goodput range; ratios are medians over medians.
     */
    public static List<String> summary(List<Row> rows) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-20s %-27s %10s %15s %9s %11s %10s %13s  %s",
                "setting", "run", "goodput", "(min-max)", "vs kernel", "RTOs/100MB", "vs kernel", "retrans/100MB", "runs"));
        List<Setting> settings = rows.stream().map(Row::setting).distinct().toList();
        for (Setting setting : settings) {
            for (Direction d : Direction.values()) {
                List<Row> ok = rows.stream().filter(r -> r.setting().equals(setting) && r.direction() == d && r.error() == null).toList();
                long failed = rows.stream().filter(r -> r.setting().equals(setting) && r.direction() == d && r.error() != null).count();
                List<Row> ref = rows.stream().filter(r -> r.setting().equals(setting) && r.direction() == d.reference() && r.error() == null).toList();
                if (ok.isEmpty()) {
                    lines.add(String.format(Locale.ROOT, "%-20s %-27s all %d runs failed", setting.label(), d.label(), failed));
                    continue;
                }
                double goodput = median(ok.stream().mapToDouble(Row::goodputMbps).toArray());
                double min = ok.stream().mapToDouble(Row::goodputMbps).min().orElse(0);
                double max = ok.stream().mapToDouble(Row::goodputMbps).max().orElse(0);
                double rtos = median(ok.stream().mapToDouble(Row::rtosPer100MB).toArray());
                double retrans = median(ok.stream().mapToDouble(Row::retransPer100MB).toArray());
                boolean isRef = d == d.reference();
                String goodputRatio = "ref";
                String rtoRatio = "ref";
                if (!isRef) {
                    double refGoodput = ref.isEmpty() ? 0 : median(ref.stream().mapToDouble(Row::goodputMbps).toArray());
                    double refRtos = ref.isEmpty() ? 0 : median(ref.stream().mapToDouble(Row::rtosPer100MB).toArray());
                    goodputRatio = refGoodput == 0 ? "-" : String.format(Locale.ROOT, "%.1f %%", 100 * goodput / refGoodput);
                    rtoRatio = ref.isEmpty() ? "-" : refRtos == 0 ? (rtos == 0 ? "1x" : "kernel 0")
                            : String.format(Locale.ROOT, "%.1fx", rtos / refRtos);
                }
                lines.add(String.format(Locale.ROOT, "%-20s %-27s %5.0f Mb/s %15s %9s %11.1f %10s %13.0f  %d%s",
                        setting.label(), d.label(), goodput, String.format(Locale.ROOT, "(%.0f-%.0f)", min, max), goodputRatio,
                        rtos, rtoRatio, retrans, ok.size(), failed > 0 ? " (" + failed + " failed)" : ""));
            }
        }
        return lines;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        java.util.Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** The table header matching {@link #format}. */
    public static String header() {
        return String.format(Locale.ROOT, "%-20s %-27s %10s %9s %11s %10s %13s %7s %6s  %s",
                "setting", "run", "goodput", "vs kernel", "RTOs/100MB", "vs kernel", "retrans/100MB", "MB", "s", "check");
    }

    /** One row; ratios against the same setting's kernel-to-kernel run in the same direction, if already in {@code all}. */
    public static String format(Row r, List<Row> all) {
        Row ref = all.stream().filter(o -> o.setting().equals(r.setting()) && o.direction() == r.direction().reference()
                && o.error() == null).findFirst().orElse(null);
        boolean isRef = r.direction() == r.direction().reference();
        String goodputRatio = isRef ? "ref" : ref == null || ref.goodputMbps() == 0 ? "-"
                : String.format(Locale.ROOT, "%.1f %%", 100 * r.goodputMbps() / ref.goodputMbps());
        String rtoRatio = isRef ? "ref" : ref == null ? "-" : ref.rtosPer100MB() == 0 ? (r.rtos() == 0 ? "1x" : "kernel 0")
                : String.format(Locale.ROOT, "%.1fx", r.rtosPer100MB() / ref.rtosPer100MB());
        return String.format(Locale.ROOT, "%-20s %-27s %5.0f Mb/s %9s %11.1f %10s %13.0f %7.1f %6.2f  %s",
                r.setting().label(), r.direction().label(), r.goodputMbps(), goodputRatio, r.rtosPer100MB(), rtoRatio,
                r.retransPer100MB(), r.bytes() / 1e6, r.seconds(), r.error() == null ? "sha256 equal" : "FAILED: " + r.error());
    }
}
