package org.mptcp4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.cli.iperf3.Iperf3Options;
import org.mptcp4j.cli.iperf3.Iperf3Runner;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.net.emu.PathEmulator;
import org.mptcp4j.net.perf.LossBenchmark;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.stack.StackConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./mptcp4j perf}: goodput and CPU cost of bulk transfers. {@code tun}: mptcp4j on the
 * testbed's TUN sends to a kernel server; {@code kernel}: the kernel in the mptcp4j namespace sends
 * to the same server over the same shaped path (the reference); {@code udp}: two mptcp4j stacks in
 * this process over loopback UDP. Every run checks SHA-256 at both ends. {@code --loss-report}
 * runs {@link LossBenchmark} instead: goodput and RTOs under loss inside the path, beside the kernel.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Bulk-transfer goodput: mptcp4j on the testbed's TUN vs the kernel (reference), or mptcp4j over loopback UDP; "
                + "with -s or -c HOST, an iperf3 server or client on the testbed's TUN.")
final class PerfCommand implements Callable<Integer> {
    @Option(names = "--mode", defaultValue = "tun,kernel", split = ",",
            description = "Comma-separated runs out of tun (mptcp4j client, kernel server, --bytes each way), "
                    + "tun-server (kernel client, mptcp4j server, each way), kernel (kernel to kernel, one way), "
                    + "kernel-mptcp (kernel to kernel over MPTCP, one subflow on each path, one way), "
                    + "tun-mptcp (mptcp4j client, kernel MPTCP server, one subflow on each path, each way), "
                    + "tun-server-mptcp (kernel MPTCP client, mptcp4j server, one subflow on each path, each way), "
                    + "udp (mptcp4j to mptcp4j over loopback UDP, one way); default ${DEFAULT-VALUE}.")
    List<String> modes;

    @Option(names = "--testbed", description = "Testbed id (from 'testbed up'); may be left out when one is up.")
    String testbedId;

    @Option(names = "--path", defaultValue = "A", description = "Testbed path A or B (default ${DEFAULT-VALUE}).")
    String path;

    @Option(names = "--bytes", defaultValue = "1000000000", description = "Bytes per run (default ${DEFAULT-VALUE}).")
    long bytes;

    @Option(names = "--no-gso",
            description = "TUN without IFF_VNET_HDR: one write(2) per segment (default: outgoing TCP batched into GSO packets).")
    boolean noGso;

    @Option(names = "--no-rx-offload",
            description = "TUN without TUNSETOFFLOAD: incoming TCP arrives MTU-sized (default: TSO/GRO super-segments of up to 64 KB; needs GSO).")
    boolean noRxOffload;

    @Option(names = {"-p", "--port"}, defaultValue = "5201", description = "TCP port of the receiver (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--loss-report",
            description = "Instead of --mode: goodput and RTOs per 100 MB under random loss inside the path, kernel -> kernel beside "
                    + "mptcp4j -> kernel and kernel -> mptcp4j, for each --loss-levels with veth offload on and off. "
                    + "Brings up (and removes) a testbed per setting; needs root, nft and ethtool.")
    boolean lossReport;

    @Option(names = "--loss-levels", defaultValue = "1,5", split = ",",
            description = "Loss in percent for --loss-report (default ${DEFAULT-VALUE}).")
    List<String> lossLevels;

    @Option(names = "--loss-offload", defaultValue = "on,off", split = ",",
            description = "Veth offload settings for --loss-report (default ${DEFAULT-VALUE}).")
    List<String> lossOffload;

    @Option(names = "--loss-max-bytes", defaultValue = "100000000",
            description = "--loss-report: bytes per transfer at most (default ${DEFAULT-VALUE}).")
    long lossMaxBytes;

    @Option(names = "--loss-rounds", defaultValue = "3",
            description = "--loss-report: rounds of the whole matrix; a summary of medians follows (default ${DEFAULT-VALUE}).")
    int lossRounds;

    @Option(names = "--loss-max-seconds", defaultValue = "20",
            description = "--loss-report: seconds of sending per transfer at most (default ${DEFAULT-VALUE}).")
    double lossMaxSeconds;

    @Mixin
    MptcpOptions mptcp = new MptcpOptions();

    /** -s / -c HOST and iperf3's other options: perf as an iperf3 server or client (docs/NET.md, "iperf3"). */
    @Mixin
    Iperf3Options iperf3 = new Iperf3Options();

    @Option(names = "--sndbuf", description = "The stack's send buffer, bytes (Linux tcp_wmem[2]; default 4 MiB): "
            + "a TCP connection's most, and an MPTCP connection's most per subflow (it tunes itself up to that times its "
            + "subflows, as Linux). A connection over several paths needs the sum of their rates times the longest RTT, and more.")
    Integer sendBufferBytes;

    @Option(names = "--udp-rate", defaultValue = "0",
            description = "udp mode: emulate a path of this rate, Mbit/s, for each client address (0: none; default ${DEFAULT-VALUE}).")
    double udpRateMbps;

    @Option(names = "--udp-delay", defaultValue = "1",
            description = "udp mode with --udp-rate: one-way delay of each emulated path, ms (default ${DEFAULT-VALUE}).")
    double udpDelayMs;

    private final List<Callable<String>> linkNotes = new ArrayList<>();
    /** --monitor on a TUN host: its printers, closed (their last events printed) when the run ends. */
    private final List<PmEventPrinter> monitors = new ArrayList<>();
    /** Each TUN host's counters as its run ended (the host is closed when the notes are printed). */
    private final Map<MptcpHost, Map<String, Long>> finalCounters = new java.util.IdentityHashMap<>();

    /**
     * One measured direction: bytes over the receiver's time from its first to its last read. The
     * two directions of one TUN connection run one after the other (the second starts when the
     * first has ended), so the process CPU time is cut where the second direction's first byte
     * arrives (tun) or where the first direction's end of stream arrives (tun-server); the kernel
     * reference counts both python endpoints' CPU time, system time included.
     */
    record Run(String what, long bytes, double seconds, double cpuSeconds, boolean shaEqual) {
        double goodputMbps() {
            return bytes * 8 / seconds / 1e6;
        }

        double cpuSecondsPerGb() {
            return cpuSeconds / (bytes / 1e9);
        }
    }

    @Override
    public Integer call() throws Exception {
        if (lossReport) {
            return lossReport();
        }
        try {
            mptcp.apply(stackDefaults()); // bad --endpoint or --limits: say so before any run
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        schedulerTrace = SchedulerTraceFile.open(mptcp.schedulerTrace);
        try {
            if (iperf3.requested()) {
                return new Iperf3Runner(iperf3, System.out, System.err).run(testbedId, port, !noGso, !noRxOffload,
                        defaults -> mptcp.apply(stackDefaults(), mptcp.endpoints().isEmpty() ? defaults : mptcp.endpoints()),
                        "mptcp4j " + Version.current(), schedulerTrace == null ? null : schedulerTrace.csv);
            }
            return runAll();
        } finally {
            if (schedulerTrace != null) {
                // iperf3's -J output stays one JSON document: the note goes to stderr there.
                schedulerTrace.close(iperf3.requested() ? System.err : System.out);
            }
        }
    }

    /** The trace of the mptcp4j host that sends (--scheduler-trace), or null. */
    private SchedulerTraceFile schedulerTrace;

    private void traceScheduler(MptcpHost host) throws IOException {
        if (schedulerTrace != null) {
            host.setSchedulerTrace(schedulerTrace.csv);
        }
    }

    private Integer runAll() throws Exception {
        List<Run> runs = new ArrayList<>();
        if (modes.stream().anyMatch(m -> m.strip().toLowerCase(Locale.ROOT).startsWith("tun"))) {
            System.out.println("mptcp4j on the TUN: " + mptcp.describe());
        }
        for (String mode : modes) {
            switch (mode.strip().toLowerCase(Locale.ROOT)) {
                case "tun" -> runs.addAll(tun(testbed()));
                case "tun-server" -> runs.addAll(tunServer(testbed()));
                case "kernel" -> runs.add(kernel(testbed()));
                case "kernel-mptcp" -> runs.add(kernelMptcp(testbed()));
                case "tun-mptcp" -> runs.addAll(tunMptcp(testbed()));
                case "tun-server-mptcp" -> runs.addAll(tunServerMptcp(testbed()));
                case "udp" -> runs.add(udp());
                default -> {
                    System.err.println("unknown mode " + mode
                            + " (tun, tun-server, kernel, kernel-mptcp, tun-mptcp, tun-server-mptcp, udp)");
                    return 2;
                }
            }
        }
        System.out.printf("%-44s %13s %9s %9s %7s%n", "run", "goodput", "seconds", "CPU s/GB", "sha256");
        for (Run r : runs) {
            System.out.printf(Locale.ROOT, "%-44s %8.1f Mb/s %9.2f %9.2f %7s%n",
                    r.what(), r.goodputMbps(), r.seconds(), r.cpuSecondsPerGb(), r.shaEqual() ? "equal" : "DIFFER");
        }
        Run tcp = runs.stream().filter(r -> r.what().startsWith("kernel -> kernel, path")).findFirst().orElse(null);
        Run mptcp = runs.stream().filter(r -> r.what().startsWith("kernel -> kernel MPTCP")).findFirst().orElse(null);
        if (tcp != null && mptcp != null) {
            System.out.printf(Locale.ROOT, "kernel MPTCP (paths A+B) / kernel TCP (path %s): %.2f%n", path,
                    mptcp.goodputMbps() / tcp.goodputMbps());
        }
        for (Callable<String> note : linkNotes) {
            System.out.println(note.call());
        }
        System.out.println("goodput: bytes over the receiver's first to last read. CPU: the JVM process's user+system time, "
                + "cut between the two sequential directions of a TUN connection where the second one starts "
                + "(JIT, GC and start-up fall on the first); kernel rows: both python endpoints.");
        return runs.stream().allMatch(Run::shaEqual) ? 0 : 1;
    }

    private int lossReport() throws Exception {
        List<LossBenchmark.Setting> settings = new ArrayList<>();
        for (String level : lossLevels) {
            for (String offload : lossOffload) {
                String o = offload.strip().toLowerCase(Locale.ROOT);
                if (!o.equals("on") && !o.equals("off")) {
                    System.err.println("--loss-offload takes on and/or off: " + offload);
                    return 2;
                }
                settings.add(new LossBenchmark.Setting(TestbedConfig.parseLoss(level), o.equals("on")));
            }
        }
        System.out.printf(Locale.ROOT, "loss inside path A (both directions), at most %d bytes or %.0f s of sending per run; "
                + "goodput at the receiver, RTOs = the sender's TcpExtTCPTimeouts (kernel: nstat, mptcp4j: its MIB); "
                + "congestion control: the kernel %s, mptcp4j %s%n",
                lossMaxBytes, lossMaxSeconds, org.mptcp4j.net.testbed.KernelPeer.congestionControl(),
                org.mptcp4j.stack.StackConfig.defaults().congestionControl());
        List<LossBenchmark.Row> rows = new ArrayList<>();
        for (int round = 1; round <= lossRounds; round++) {
            System.out.println("round " + round + " of " + lossRounds + ":");
            System.out.println(LossBenchmark.header());
            rows.addAll(LossBenchmark.run(settings, lossMaxBytes, lossMaxSeconds, port, System.out));
        }
        if (lossRounds > 1) {
            System.out.println("medians of " + lossRounds + " rounds (ratios: median over the kernel's median in the same direction):");
            LossBenchmark.summary(rows).forEach(System.out::println);
        }
        return rows.stream().allMatch(r -> r.error() == null) ? 0 : 1;
    }

    private Testbed testbed() throws IOException {
        if (testbedId != null) {
            return Testbed.find(testbedId).orElseThrow(() -> new IOException("no testbed " + testbedId));
        }
        List<Testbed> up = Testbed.list();
        if (up.size() != 1) {
            throw new IOException(up.isEmpty() ? "no testbed is up: ./mptcp4j testbed up" : "several testbeds are up: pass --testbed ID");
        }
        return up.getFirst();
    }

    /** The subflows of a run's one MPTCP connection: the initial one and the joins the counter saw. */
    private static long subflows(MptcpHost host, String joinCounter) throws IOException {
        return 1 + host.counters().getOrDefault(joinCounter, 0L);
    }

    /**
     * The TUN host of a run; its link is kept for {@link #linkNote}. With {@code joinFromB} and no
     * --endpoint given, mptcp4j opens a second subflow from its path-B address.
     */
    private MptcpHost openTunHost(Testbed t, boolean joinFromB) throws IOException {
        TestbedLayout l = t.layout();
        TunLink link = new TunLink(t.openTun(!noGso, !noGso && !noRxOffload), true);
        List<Endpoint> endpoints = mptcp.endpoints();
        if (joinFromB && endpoints.isEmpty()) {
            endpoints = List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW));
        }
        MptcpHost host = MptcpHost.start("perf", mptcp.apply(stackDefaults(), endpoints), new SecureRng(), link,
                List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()), null, null);
        traceScheduler(host);
        linkNotes.add(linkNote(host, link));
        if (mptcp.pm.monitor) {
            monitors.add(PmEventPrinter.start(host, "mptcp4j", System.out));
        }
        return host;
    }

    /** What the reactor and the TUN saw over the run, read when the notes are printed. */
    private Callable<String> linkNote(MptcpHost host, TunLink link) {
        return () -> {
            var stats = host.driver().stats();
            long supers = link.superPacketsReceived();
            StringBuilder counters = new StringBuilder();
            finalCounters.getOrDefault(host, Map.of()).forEach((k, v) -> {
                if (v != 0 && (k.startsWith("MPTcpExt") || k.equals("TcpRetransSegs") || k.equals("TcpExtTCPTimeouts"))) {
                    counters.append(' ').append(k).append('=').append(v);
                }
            });
            return String.format(Locale.ROOT, "TUN: %d packets in (%d TSO/GRO super-segments, %.0f bytes on average), %d out, %d turns%n"
                    + "  mptcp4j counters (nstat names, non-zero):%s",
                    stats.packetsIn(), supers, supers == 0 ? 0.0 : (double) link.superPacketBytesReceived() / supers,
                    stats.packetsOut(), stats.turns(), counters);
        };
    }

    private InetAddress kernelAddress(TestbedLayout l) {
        return path.equalsIgnoreCase("B") ? l.kernelAddressB() : l.kernelAddressA();
    }

    private InetAddress mptcp4jAddress(TestbedLayout l) {
        return path.equalsIgnoreCase("B") ? l.mptcp4jAddressB() : l.mptcp4jAddressA();
    }

    /** mptcp4j client on the TUN: sends --bytes to a kernel server, which then sends --bytes back. */
    private List<Run> tun(Testbed t) throws Exception {
        return tun(t, false);
    }

    /**
     * {@link #tun(Testbed)} with the kernel's MPTCP as the server and mptcp4j joining a second
     * subflow from its path-B address (a {@code subflow} endpoint, unless --endpoint gives others).
     */
    private List<Run> tunMptcp(Testbed t) throws Exception {
        path = "A";
        return tun(t, true);
    }

    private List<Run> tun(Testbed t, boolean peerMptcp) throws Exception {
        TestbedLayout l = t.layout();
        List<String> args = new ArrayList<>(List.of("--bind", kernelAddress(l).getHostAddress(),
                "--port", Integer.toString(port), "--send", Long.toString(bytes), "--timeout", "600"));
        if (peerMptcp) {
            args.add("--mptcp");
        }
        try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", args.toArray(String[]::new));
                MptcpHost host = openTunHost(t, peerMptcp)) {
            server.awaitListening();
            long cpuBefore = processCpuNanos();
            long[] cpuAtDownload = new long[1];
            Transfers.Result sent;
            Transfers.Result received;
            try (MptcpSocket s = new MptcpSocket(host)) {
                s.bind(new InetSocketAddress(mptcp4jAddress(l), 0));
                s.connect(new InetSocketAddress(kernelAddress(l), port), 10_000);
                sent = Transfers.send(s.getOutputStream(), bytes, 1);
                s.shutdownOutput();
                // The kernel server sends only after our end of stream: its first byte ends the upload.
                received = Transfers.receive(s.getInputStream(), () -> cpuAtDownload[0] = processCpuNanos());
            }
            Map<String, String> kernel = server.awaitResult(600);
            long cpuEnd = processCpuNanos();
            finalCounters.put(host, host.counters());
            closeMonitors();
            String tun = "TUN" + (noGso ? "" : noRxOffload ? ", GSO" : ", GSO+GRO");
            String where = peerMptcp ? "MPTCP, A+B, " + subflows(host, "MPTcpExtMPJoinSynAckRx") + " subflows" : "path " + path;
            return List.of(
                    new Run("mptcp4j(" + tun + ") -> kernel, " + where, Long.parseLong(kernel.get("received")),
                            Double.parseDouble(kernel.get("received_seconds")), (cpuAtDownload[0] - cpuBefore) / 1e9,
                            sent.sha256().equals(kernel.get("received_sha256"))),
                    new Run("kernel -> mptcp4j(" + tun + "), " + where, received.bytes(), received.nanos() / 1e9,
                            (cpuEnd - cpuAtDownload[0]) / 1e9,
                            received.sha256().equals(kernel.get("sent_sha256")) && received.bytes() == bytes));
        }
    }

    /** mptcp4j server on the TUN: a kernel client sends --bytes, then the server sends --bytes back. */
    private List<Run> tunServer(Testbed t) throws Exception {
        return tunServer(t, false);
    }

    /**
     * {@link #tunServer(Testbed)} with the kernel's MPTCP as the client, connecting from its path-A
     * address and joining a second subflow from a {@code subflow} endpoint on its path-B address;
     * the kernel side's endpoints and limits are restored afterwards.
     */
    private List<Run> tunServerMptcp(Testbed t) throws Exception {
        TestbedLayout l = t.layout();
        path = "A";
        return withOneSubflowEndpoint(KernelMptcp.in(l.kernelNamespace()), l.kernelAddressB().getHostAddress(),
                TestbedLayout.PATH_B_KERNEL_IF, () -> tunServer(t, true));
    }

    /**
     * Runs {@code run} with the kernel's MPTCP in one namespace set to open one more subflow, from
     * a {@code subflow} endpoint on {@code address} bound to {@code dev} (limits 1 subflow, no
     * ADD_ADDR accepted), and restores the namespace's endpoints and limits afterwards.
     */
    private static <T> T withOneSubflowEndpoint(KernelMptcp kernel, String address, String dev, Callable<T> run)
            throws Exception {
        List<KernelMptcp.Endpoint> endpoints = kernel.endpoints();
        KernelMptcp.Limits limits = kernel.limits();
        kernel.flushEndpoints();
        kernel.setLimits(new KernelMptcp.Limits(1, 0));
        kernel.addEndpoint(KernelMptcp.Endpoint.of(address, dev, KernelMptcp.Flag.SUBFLOW));
        try {
            return run.call();
        } finally {
            kernel.flushEndpoints();
            for (KernelMptcp.Endpoint e : endpoints) {
                kernel.addEndpoint(e);
            }
            kernel.setLimits(limits);
        }
    }

    private List<Run> tunServer(Testbed t, boolean peerMptcp) throws Exception {
        TestbedLayout l = t.layout();
        List<String> args = new ArrayList<>(List.of("--connect", mptcp4jAddress(l).getHostAddress(),
                "--port", Integer.toString(port), "--send", Long.toString(bytes), "--timeout", "600"));
        if (peerMptcp) {
            args.addAll(List.of("--mptcp", "--bind", kernelAddress(l).getHostAddress()));
        }
        try (MptcpHost host = openTunHost(t, false);
                MptcpServerSocket listener = new MptcpServerSocket(host, new InetSocketAddress(mptcp4jAddress(l), port), 8);
                KernelPeer client = KernelPeer.start(l.kernelNamespace(), "client", args.toArray(String[]::new))) {
            listener.setSoTimeout(30_000);
            long cpuBefore = processCpuNanos();
            Transfers.Result received;
            Transfers.Result sent;
            long cpuAtUpload;
            try (MptcpSocket s = listener.accept()) {
                received = Transfers.receive(s.getInputStream());
                cpuAtUpload = processCpuNanos();
                sent = Transfers.send(s.getOutputStream(), bytes, 1);
            }
            Map<String, String> kernel = client.awaitResult(600);
            long cpuEnd = processCpuNanos();
            finalCounters.put(host, host.counters());
            closeMonitors();
            String tun = "TUN" + (noGso ? "" : noRxOffload ? ", GSO" : ", GSO+GRO");
            String where = peerMptcp ? " (MPTCP, A+B, " + subflows(host, "MPTcpExtMPJoinAckRx") + " subflows)" : "";
            return List.of(
                    new Run("kernel client -> mptcp4j(" + tun + ") server" + where, received.bytes(), received.nanos() / 1e9,
                            (cpuAtUpload - cpuBefore) / 1e9,
                            received.sha256().equals(kernel.get("sent_sha256")) && received.bytes() == bytes),
                    new Run("mptcp4j(" + tun + ") server -> kernel client" + where, Long.parseLong(kernel.get("received")),
                            Double.parseDouble(kernel.get("received_seconds")), (cpuEnd - cpuAtUpload) / 1e9,
                            sent.sha256().equals(kernel.get("received_sha256"))));
        }
    }

    private Run kernel(Testbed t) throws Exception {
        TestbedLayout l = t.layout();
        try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--bind", kernelAddress(l).getHostAddress(),
                "--port", Integer.toString(port), "--timeout", "600")) {
            server.awaitListening();
            try (KernelPeer client = KernelPeer.start(l.mptcp4jNamespace(), "client", "--connect", kernelAddress(l).getHostAddress(),
                    "--port", Integer.toString(port), "--send", Long.toString(bytes), "--timeout", "600")) {
                Map<String, String> c = client.awaitResult(600);
                Map<String, String> s = server.awaitResult(600);
                double cpu = Double.parseDouble(c.get("cpu_seconds")) + Double.parseDouble(s.get("cpu_seconds"));
                return new Run("kernel -> kernel, path " + path, Long.parseLong(s.get("received")),
                        Double.parseDouble(s.get("received_seconds")), cpu,
                        c.get("sent_sha256").equals(s.get("received_sha256")));
            }
        }
    }

    /**
     * The kernel to the kernel over MPTCP, one subflow on each path: the router's kernel connects from
     * 198.18.1.254 (path A) and joins a second subflow from a {@code subflow} endpoint on 198.18.2.254
     * (path B); it accepts no ADD_ADDR, so the kernel side's announced address adds no third subflow.
     * The router's endpoints and limits are restored afterwards.
     */
    private Run kernelMptcp(Testbed t) throws Exception {
        TestbedLayout l = t.layout();
        KernelMptcp router = KernelMptcp.in(l.mptcp4jNamespace());
        return withOneSubflowEndpoint(router, l.routerAddressB().getHostAddress(), TestbedLayout.PATH_B_LOCAL_IF, () -> {
            String server = l.kernelAddressA().getHostAddress();
            try (KernelPeer s = KernelPeer.start(l.kernelNamespace(), "server", "--mptcp", "--bind", server,
                    "--port", Integer.toString(port), "--timeout", "600")) {
                s.awaitListening();
                Map<String, Long> before = router.counters();
                try (KernelPeer c = KernelPeer.start(l.mptcp4jNamespace(), "client", "--mptcp", "--bind",
                        l.routerAddressA().getHostAddress(), "--connect", server, "--port", Integer.toString(port),
                        "--send", Long.toString(bytes), "--timeout", "600")) {
                    Map<String, String> cr = c.awaitResult(600);
                    Map<String, String> sr = s.awaitResult(600);
                    long joins = Nstat.delta(before, router.counters()).getOrDefault("MPTcpExtMPJoinSynAckRx", 0L);
                    double cpu = Double.parseDouble(cr.get("cpu_seconds")) + Double.parseDouble(sr.get("cpu_seconds"));
                    return new Run("kernel -> kernel MPTCP, A+B, " + (1 + joins) + " subflows", Long.parseLong(sr.get("received")),
                            Double.parseDouble(sr.get("received_seconds")), cpu,
                            cr.get("sent_sha256").equals(sr.get("received_sha256")));
                }
            }
        });
    }

    /**
     * Two mptcp4j stacks in this process over loopback UDP: a client on 127.0.0.1 sends --bytes to a
     * server on 127.0.0.2. The --endpoint options place their addresses: {@code signal} endpoints are
     * the server's (it announces them), the others the client's (a {@code subflow} endpoint opens a
     * subflow from it). --udp-rate gives each client address a path of its own in the client's
     * emulator, so that the scheduler has paths to choose between.
     */
    private Run udp() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        List<Endpoint> endpoints = mptcp.endpoints();
        List<Endpoint> serverEndpoints = endpoints.stream().filter(e -> e.has(Endpoint.Flag.SIGNAL)).toList();
        List<Endpoint> clientEndpoints = endpoints.stream().filter(e -> !e.has(Endpoint.Flag.SIGNAL)).toList();
        List<InetAddress> clientAddresses = addresses(a, clientEndpoints);
        List<InetAddress> serverAddresses = addresses(b, serverEndpoints);
        UdpDriver.Builder sb = UdpDriver.builder();
        serverAddresses.forEach(x -> sb.local(x, 0));
        UdpDriver serverLink = sb.open();
        UdpDriver.Builder cb = UdpDriver.builder();
        clientAddresses.forEach(x -> cb.local(x, 0));
        for (InetAddress x : serverAddresses) {
            cb.peer(x, serverLink.localSocketAddress(x));
        }
        UdpDriver clientLink = cb.open();
        for (InetAddress x : clientAddresses) {
            serverLink.addPeer(x, clientLink.localSocketAddress(x));
        }
        PathEmulator egress = null;
        if (udpRateMbps > 0) {
            egress = new PathEmulator(new SplitMix64(1));
            for (InetAddress x : clientAddresses) {
                egress.configure(x, null, LinkSpec.of((long) (udpRateMbps * 1e6), (long) (udpDelayMs * 1e6)));
            }
        }
        StackConfig clientConfig = mptcp.apply(stackDefaults(), clientEndpoints);
        StackConfig serverConfig = mptcp.apply(stackDefaults(), serverEndpoints);
        System.out.println("UDP loopback: client " + clientAddresses + ", server " + serverAddresses + "; " + mptcp.describe()
                + (egress == null ? "" : String.format(Locale.ROOT, "; each client address on a path of %.0f Mbit/s, %.1f ms one way",
                        udpRateMbps, udpDelayMs)));
        try (MptcpHost server = MptcpHost.start("perf-udp-server", serverConfig, new SecureRng(), serverLink, serverAddresses, null, null);
                MptcpHost client = MptcpHost.start("perf-udp-client", clientConfig, new SecureRng(), clientLink, clientAddresses, egress, null);
                MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(b, port), 8);
                PmEventPrinter serverEvents = mptcp.pm.monitor ? PmEventPrinter.start(server, "server", System.out) : null;
                PmEventPrinter clientEvents = mptcp.pm.monitor ? PmEventPrinter.start(client, "client", System.out) : null) {
            traceScheduler(client);
            long cpuBefore = processCpuNanos();
            CompletableFuture<Received> received = CompletableFuture.supplyAsync(() -> {
                try (MptcpSocket s = listener.accept()) {
                    Transfers.Result r = Transfers.receive(s.getInputStream());
                    // The client's DATA_FIN is in, ours not yet sent: the subflows are all still there.
                    return new Received(r, s.mptcpInfo());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            Transfers.Result sent;
            try (MptcpSocket s = new MptcpSocket(client)) {
                s.bind(new InetSocketAddress(a, 0));
                s.connect(new InetSocketAddress(b, port), 10_000);
                sent = Transfers.send(s.getOutputStream(), bytes, 1);
                s.shutdownOutput();
                s.getInputStream().read();
            }
            Received got = received.get(600, TimeUnit.SECONDS);
            double cpu = (processCpuNanos() - cpuBefore) / 1e9;
            linkNotes.add(() -> subflowNote(got.info(), got.result().bytes()));
            int subflows = got.info() == null ? 0 : got.info().subflows().size();
            return new Run("mptcp4j -> mptcp4j (UDP loopback, " + (subflows <= 1 ? "1 subflow" : subflows + " subflows") + ")",
                    got.result().bytes(), got.result().nanos() / 1e9, cpu,
                    got.result().sha256().equals(sent.sha256()) && got.result().bytes() == bytes);
        }
    }

    private void closeMonitors() {
        monitors.forEach(PmEventPrinter::close);
        monitors.clear();
    }

    private StackConfig stackDefaults() {
        return sendBufferBytes == null ? StackConfig.defaults() : StackConfig.defaults().withSendBufferBytes(sendBufferBytes);
    }

    private record Received(Transfers.Result result, MptcpInfo info) {}

    private static List<InetAddress> addresses(InetAddress first, List<Endpoint> endpoints) {
        List<InetAddress> out = new ArrayList<>(List.of(first));
        for (Endpoint e : endpoints) {
            if (!out.contains(e.address())) {
                out.add(e.address());
            }
        }
        return out;
    }

    /** The receiver's MPTCP_INFO: what each subflow delivered at the data level. */
    private static String subflowNote(MptcpInfo info, long total) {
        if (info == null) {
            return "receiver: no MPTCP_INFO (the connection was gone)";
        }
        StringBuilder b = new StringBuilder("receiver's MPTCP_INFO: " + info.mode() + ", "
                + info.bytesReceived() + " bytes received at the data level");
        for (MptcpInfo.SubflowInfo f : info.subflows()) {
            b.append(String.format(Locale.ROOT, "%n  subflow %s -> %s (id %d): %d data bytes (%.0f %%), srtt %.2f ms",
                    f.remote(), f.local(), f.remoteId(), f.dataBytesReceived(), 100.0 * f.dataBytesReceived() / Math.max(1, total),
                    f.srttNanos() / 1e6));
        }
        return b.toString();
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
