package org.mptcp4j.net.perf;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.PathAAddresses;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

/**
 * One-way MPTCP bulk transfers over a testbed with a chosen number and placement of subflows, and
 * the CPU each end spent: kernel to kernel (the reference), mptcp4j to the kernel, the kernel to
 * mptcp4j. The paper's testbed experiments (Fig. 8, goodput against the MSS, and the CPU cost per
 * subflow; {@code ./mptcp4j sim fig8}, {@code sim cpu}) are built from these.
 *
 * <p>The kernel side ({@code kernel-ID}) is always the server on its path-A address and neither
 * announces nor joins (its endpoints are flushed), so every extra subflow is one the client opens
 * from one of its {@code subflow} endpoints: mptcp4j (limits {@code n-1} subflows, no ADD_ADDR
 * accepted), or the router's kernel in {@code mptcp4j-ID} for the reference, configured the same
 * way with {@code ip mptcp}. Where the subflows go is {@link Paths}.
 *
 * <p>No SHA-256 at either end (it would add its own CPU to the stacks' that is measured); the
 * receiver's byte count must equal the sender's. Goodput is the receiver's: bytes over its first to
 * last read. CPU: for mptcp4j, its Java threads ({@link ThreadCpu}) from just after the connect to
 * the end of the transfer; for the kernel, the {@code kernel_peer.py} process's user and system
 * time from its connect or accept to its end ({@code getrusage}), which has the socket calls and the TCP work done in them, but not softirq
 * work that ran on another CPU or in another task's context.
 */
public final class MultipathTransfer {
    /** Where the subflows go. */
    public enum Paths {
        /** One subflow, on path A. */
        ONE,
        /** Two subflows: the initial one on path A, a join on path B. */
        BOTH,
        /** All subflows on path A, one local address each (a shared bottleneck). */
        SHARED_A
    }

    /**
     * @param paths       placement of the subflows
     * @param subflows    how many (ONE: 1, BOTH: 2, SHARED_A: 1 to 9)
     * @param mss         mptcp4j's MSS ({@code StackConfig.mss}); the kernel's follows the testbed's MTU
     * @param tunOffload  mptcp4j's TUN with GSO out and TSO/GRO super-segments in (else one packet per segment)
     * @param maxBytes    bytes per transfer at most
     * @param maxSeconds  seconds of sending per transfer at most
     * @param port        the kernel server's port
     */
    public record Setup(Paths paths, int subflows, int mss, boolean tunOffload, long maxBytes, double maxSeconds, int port) {
        public Setup {
            int max = switch (paths) {
                case ONE -> 1;
                case BOTH -> 2;
                case SHARED_A -> 1 + PathAAddresses.MAX_EXTRA;
            };
            if (subflows < 1 || subflows > max || paths == Paths.BOTH && subflows != 2) {
                throw new IllegalArgumentException(subflows + " subflows with paths " + paths);
            }
        }
    }

    /** CPU seconds of one end over the transfer. */
    public record Cpu(double userSeconds, double systemSeconds) {
        public double totalSeconds() {
            return userSeconds + systemSeconds;
        }
    }

    /**
     * One transfer.
     *
     * @param subflows the subflows the client opened (1 + its MP_JOINs answered)
     * @param mptcp4jProcessSeconds the whole JVM's CPU over the transfer (JIT and GC included), NaN
     *                              when mptcp4j took no part
     * @param error    null when the receiver got every byte sent
     */
    public record Result(long bytes, double seconds, int subflows, Cpu sender, Cpu receiver, double mptcp4jProcessSeconds,
                         String error) {
        public double goodputMbps() {
            return seconds > 0 ? bytes * 8 / seconds / 1e6 : 0;
        }

        /** CPU seconds per 10^9 bytes delivered. */
        public static double perGb(double cpuSeconds, long bytes) {
            return bytes > 0 ? cpuSeconds / (bytes / 1e9) : Double.NaN;
        }
    }

    private static final AtomicBoolean WARM = new AtomicBoolean();
    private static final String JOINS = "MPTcpExtMPJoinSynAckRx";

    private final Testbed testbed;
    private final Setup setup;
    private final List<InetAddress> mptcp4jAddresses;
    private final List<InetAddress> routerAddresses;

    private MultipathTransfer(Testbed testbed, Setup setup, List<InetAddress> mptcp4jAddresses,
                              List<InetAddress> routerAddresses) {
        this.testbed = testbed;
        this.setup = setup;
        this.mptcp4jAddresses = mptcp4jAddresses;
        this.routerAddresses = routerAddresses;
    }

    /**
     * Prepares a testbed brought up for this setup alone: the addresses the subflows need and the
     * kernels' endpoints and limits (left so; the testbed goes down after the run).
     */
    public static MultipathTransfer on(Testbed t, Setup s) throws IOException {
        TestbedLayout l = t.layout();
        List<InetAddress> mine = new ArrayList<>(List.of(l.mptcp4jAddressA()));
        List<InetAddress> router = new ArrayList<>(List.of(l.routerAddressA()));
        String routerDev = TestbedLayout.PATH_A_LOCAL_IF;
        switch (s.paths()) {
            case ONE -> { }
            case BOTH -> {
                mine.add(l.mptcp4jAddressB());
                router.add(l.routerAddressB());
                routerDev = TestbedLayout.PATH_B_LOCAL_IF;
            }
            case SHARED_A -> {
                mine.addAll(PathAAddresses.addForMptcp4j(t, s.subflows() - 1));
                router.addAll(PathAAddresses.addForRouter(t, s.subflows() - 1));
            }
        }
        KernelMptcp.in(l.kernelNamespace()).flushEndpoints();
        KernelMptcp routerMptcp = KernelMptcp.in(l.mptcp4jNamespace());
        routerMptcp.flushEndpoints();
        routerMptcp.setLimits(new KernelMptcp.Limits(s.subflows() - 1, 0));
        for (InetAddress a : router.subList(1, router.size())) {
            routerMptcp.addEndpoint(KernelMptcp.Endpoint.of(a.getHostAddress(), routerDev, KernelMptcp.Flag.SUBFLOW));
        }
        return new MultipathTransfer(t, s, mine, router);
    }

    /**
     * The first mptcp4j transfers of a JVM run while its JIT compiles the stack; this runs one short
     * transfer each way, not measured, once per JVM.
     */
    public void warmUpOnce() throws IOException {
        if (WARM.compareAndSet(false, true)) {
            Setup brief = new Setup(setup.paths(), setup.subflows(), setup.mss(), setup.tunOffload(), setup.maxBytes(),
                    Math.min(2, setup.maxSeconds()), setup.port());
            MultipathTransfer w = new MultipathTransfer(testbed, brief, mptcp4jAddresses, routerAddresses);
            w.mptcp4jToKernel();
            w.kernelToMptcp4j();
        }
    }

    private TestbedLayout layout() {
        return testbed.layout();
    }

    private String timeout() {
        return Long.toString(LossBenchmark.timeoutSeconds(setup.maxSeconds()));
    }

    private KernelPeer kernelServer(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("--mptcp", "--no-hash", "--bind", layout().kernelAddressA().getHostAddress(),
                "--port", Integer.toString(setup.port()), "--timeout", timeout()));
        args.addAll(List.of(extra));
        KernelPeer server = KernelPeer.start(layout().kernelNamespace(), "server", args.toArray(String[]::new));
        server.awaitListening();
        return server;
    }

    private Map<String, String> await(KernelPeer peer) throws IOException {
        return peer.awaitResult(LossBenchmark.timeoutSeconds(setup.maxSeconds()) + 30);
    }

    private static Cpu kernelCpu(Map<String, String> peer) {
        return new Cpu(Double.parseDouble(peer.getOrDefault("connection_cpu_user_seconds", "NaN")),
                Double.parseDouble(peer.getOrDefault("connection_cpu_system_seconds", "NaN")));
    }

    private static String error(long sent, long received, Map<String, String> peer) {
        if (peer.containsKey("error")) {
            return "kernel peer: " + peer.get("error");
        }
        return sent == received && received > 0 ? null : "received " + received + " of " + sent + " bytes";
    }

    /** The router's kernel (client, path A) sends to the kernel side (server). */
    public Result kernelToKernel() throws IOException {
        TestbedLayout l = layout();
        KernelMptcp router = KernelMptcp.in(l.mptcp4jNamespace());
        try (KernelPeer server = kernelServer()) {
            Map<String, Long> before = router.counters();
            try (KernelPeer client = KernelPeer.start(l.mptcp4jNamespace(), "client", "--mptcp", "--no-hash",
                    "--bind", routerAddresses.getFirst().getHostAddress(), "--connect", l.kernelAddressA().getHostAddress(),
                    "--port", Integer.toString(setup.port()), "--send", Long.toString(setup.maxBytes()),
                    "--duration", Double.toString(setup.maxSeconds()), "--timeout", timeout())) {
                Map<String, String> c = await(client);
                Map<String, String> s = await(server);
                long joins = Nstat.delta(before, router.counters()).getOrDefault(JOINS, 0L);
                long received = Long.parseLong(s.getOrDefault("received", "0"));
                return new Result(received, Double.parseDouble(s.getOrDefault("received_seconds", "0")), (int) (1 + joins),
                        kernelCpu(c), kernelCpu(s), Double.NaN,
                        error(Long.parseLong(c.getOrDefault("sent", "0")), received, c.containsKey("error") ? c : s));
            }
        }
    }

    private MptcpHost openHost() throws IOException {
        TunLink link = new TunLink(testbed.openTun(setup.tunOffload(), setup.tunOffload()), true);
        List<Endpoint> endpoints = new ArrayList<>();
        for (int i = 1; i < mptcp4jAddresses.size(); i++) {
            endpoints.add(Endpoint.of(mptcp4jAddresses.get(i), i, Endpoint.Flag.SUBFLOW));
        }
        StackConfig defaults = StackConfig.defaults().withMss(setup.mss());
        StackConfig config = defaults.withMptcp(defaults.mptcp().withEndpoints(endpoints)
                .withLimits(new Limits(setup.subflows() - 1, 0)));
        return MptcpHost.start("multipath-transfer", config, new SecureRng(), link, mptcp4jAddresses, null, null);
    }

    private MptcpSocket connect(MptcpHost host) throws IOException {
        MptcpSocket s = new MptcpSocket(host);
        s.bind(new InetSocketAddress(mptcp4jAddresses.getFirst(), 0));
        s.connect(new InetSocketAddress(layout().kernelAddressA(), setup.port()), 10_000);
        return s;
    }

    private static Cpu javaCpu(ThreadCpu.Usage u) {
        return new Cpu(u.userSeconds(), u.systemSeconds());
    }

    /** mptcp4j (client) sends to the kernel side (server). */
    public Result mptcp4jToKernel() throws IOException {
        try (KernelPeer server = kernelServer(); MptcpHost host = openHost()) {
            Transfers.Result[] sent = new Transfers.Result[1];
            ThreadCpu.Usage cpu = measured(host, s -> {
                sent[0] = Transfers.send(s.getOutputStream(), setup.maxBytes(), 1, (long) (setup.maxSeconds() * 1e9), false);
                s.shutdownOutput();
                // The server closes once it has read everything: our end of stream is its last read.
                Transfers.receive(s.getInputStream(), () -> { }, false);
            });
            Map<String, String> k = await(server);
            long received = Long.parseLong(k.getOrDefault("received", "0"));
            return new Result(received, Double.parseDouble(k.getOrDefault("received_seconds", "0")), subflows(host),
                    javaCpu(cpu), kernelCpu(k), cpu.processSeconds(), error(sent[0].bytes(), received, k));
        }
    }

    /** The kernel side (server) sends to mptcp4j (client), which sends nothing. */
    public Result kernelToMptcp4j() throws IOException {
        try (KernelPeer server = kernelServer("--send", Long.toString(setup.maxBytes()),
                "--duration", Double.toString(setup.maxSeconds()));
                MptcpHost host = openHost()) {
            Transfers.Result[] got = new Transfers.Result[1];
            ThreadCpu.Usage cpu = measured(host, s -> {
                // One byte before our end of stream: a DATA_FIN alone, right after the handshake, is
                // held until the server's first DSS confirms our MP_CAPABLE ACK, and this server sends
                // nothing before it has read to the end (mptcp4j then retransmits the ACK forever).
                s.getOutputStream().write(0);
                s.shutdownOutput();
                got[0] = Transfers.receive(s.getInputStream(), () -> { }, false);
            });
            Map<String, String> k = await(server);
            Transfers.Result received = got[0];
            return new Result(received.bytes(), received.nanos() / 1e9, subflows(host), kernelCpu(k), javaCpu(cpu),
                    cpu.processSeconds(), error(Long.parseLong(k.getOrDefault("sent", "0")), received.bytes(), k));
        }
    }

    private interface SocketWork {
        void run(MptcpSocket s) throws IOException;
    }

    /**
     * Connects, runs {@code work} under a watchdog that aborts a transfer stuck past its timeout,
     * and returns the Java threads' CPU from just after the connect to the end of the work.
     */
    private ThreadCpu.Usage measured(MptcpHost host, SocketWork work) throws IOException {
        try (MptcpSocket s = connect(host)) {
            Thread dog = LossBenchmark.watchdog(s, LossBenchmark.timeoutSeconds(setup.maxSeconds()));
            try {
                ThreadCpu start = ThreadCpu.snapshot();
                work.run(s);
                return ThreadCpu.snapshot().since(start);
            } finally {
                dog.interrupt();
            }
        }
    }

    private static int subflows(MptcpHost host) throws IOException {
        return (int) (1 + host.counters().getOrDefault(JOINS, 0L));
    }
}
