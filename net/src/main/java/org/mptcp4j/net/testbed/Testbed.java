package org.mptcp4j.net.testbed;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Creates, describes and removes the namespace testbed laid out in {@link TestbedLayout}. Needs root.
 * Each testbed has an id; a state file under {@link #stateDirectory()} remembers it, so that
 * {@code down} and {@code status} find it from another process. Nothing is created outside the two
 * namespaces, so deleting them ({@link #down}) removes everything: veths, the TUN, routes, qdiscs.
 */
public final class Testbed {
    private final TestbedConfig config;
    private final TestbedLayout layout;

    private Testbed(TestbedConfig config) {
        this.config = config;
        this.layout = new TestbedLayout(config.id());
    }

    public TestbedConfig config() {
        return config;
    }

    public TestbedLayout layout() {
        return layout;
    }

    /** A fresh id: 6 random hex digits, unlikely to clash with a concurrent run. */
    public static String newId() {
        return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
    }

    /** {@code /run/mptcp4j}, or the directory in the environment variable {@code MPTCP4J_STATE_DIR}. */
    public static Path stateDirectory() {
        String override = System.getenv("MPTCP4J_STATE_DIR");
        return Path.of(override != null && !override.isEmpty() ? override : "/run/mptcp4j");
    }

    /** Builds the testbed; on any failure removes what it had built and rethrows. */
    public static Testbed up(TestbedConfig config) throws IOException {
        Testbed t = new Testbed(config);
        if (Files.exists(stateFile(config.id()))) {
            throw new IOException("a testbed with id " + config.id() + " is already up (" + stateFile(config.id()) + ")");
        }
        t.saveState();
        try {
            t.build();
        } catch (IOException | RuntimeException e) {
            try {
                down(config.id());
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        return t;
    }

    /** The testbeds whose state files exist, by id. */
    public static List<Testbed> list() throws IOException {
        Path dir = stateDirectory();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Testbed> result = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("testbed-[a-z0-9]+\\.properties")).sorted().toList()) {
                result.add(load(f));
            }
        }
        return result;
    }

    public static Optional<Testbed> find(String id) throws IOException {
        Path f = stateFile(id);
        return Files.exists(f) ? Optional.of(load(f)) : Optional.empty();
    }

    /** Removes the testbed's namespaces (if they exist) and its state file. */
    public static void down(String id) throws IOException {
        TestbedLayout layout = new TestbedLayout(id);
        IOException first = null;
        for (String ns : List.of(layout.mptcp4jNamespace(), layout.kernelNamespace())) {
            if (namespaceExists(ns)) {
                try {
                    Shell.run("ip", "netns", "del", ns);
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        Files.deleteIfExists(stateFile(id));
    }

    public static boolean namespaceExists(String name) {
        return Files.exists(Path.of("/var/run/netns", name));
    }

    /**
     * Attaches to the testbed's TUN device {@code m4j0} from inside the mptcp4j namespace. The caller
     * owns the returned device; mptcp4j's addresses there are {@link TestbedLayout#mptcp4jAddressA()}
     * and {@link TestbedLayout#mptcp4jAddressB()}.
     */
    public org.mptcp4j.net.tun.TunDevice openTun() throws IOException {
        return openTun(false);
    }

    /** {@link #openTun()}, optionally with {@code IFF_VNET_HDR} so that outgoing TCP is batched into GSO packets. */
    public org.mptcp4j.net.tun.TunDevice openTun(boolean vnetHeader) throws IOException {
        return openTun(vnetHeader, false);
    }

    /**
     * {@link #openTun(boolean)}; with {@code receiveOffload} the kernel also hands us TCP segments of
     * up to 64 KB ({@code TUNSETOFFLOAD}, see {@link org.mptcp4j.net.tun.TunDevice#open(String, boolean, boolean)}).
     */
    public org.mptcp4j.net.tun.TunDevice openTun(boolean vnetHeader, boolean receiveOffload) throws IOException {
        org.mptcp4j.net.tun.TunDevice tun = org.mptcp4j.net.os.NetNamespace.call(layout.mptcp4jNamespace(),
                () -> org.mptcp4j.net.tun.TunDevice.open(TestbedLayout.TUN, vnetHeader, receiveOffload));
        try {
            // Attaching turns the TUN's carrier on; see awaitOperationallyUp for why that is not yet enough.
            awaitOperationallyUp(layout.mptcp4jNamespace(), TestbedLayout.TUN);
        } catch (IOException | RuntimeException e) {
            tun.close();
            throw e;
        }
        return tun;
    }

    /** True when both namespaces exist. */
    public boolean isUp() {
        return namespaceExists(layout.mptcp4jNamespace()) && namespaceExists(layout.kernelNamespace());
    }

    /** A human-readable report: config, interfaces, qdiscs and the kernel's MPTCP settings. */
    public String status() throws IOException {
        StringBuilder s = new StringBuilder();
        s.append("testbed ").append(config.id()).append(isUp() ? " (up)" : " (namespaces missing)").append('\n');
        s.append("  mtu ").append(config.mtu())
                .append(", path A ").append(TestbedConfig.formatRate(config.rateABps()))
                .append(", path B ").append(TestbedConfig.formatRate(config.rateBBps()))
                .append(", qdisc ").append(config.qdisc()).append('\n');
        s.append("  loss path A ").append(TestbedConfig.formatLoss(config.lossAPercent()))
                .append(", path B ").append(TestbedConfig.formatLoss(config.lossBPercent()))
                .append(" (each direction, nftables prerouting where the path arrives)")
                .append(", veth offload ").append(config.offload() ? "on" : "off (TSO/GSO/GRO)").append('\n');
        s.append("  mptcp4j namespace ").append(layout.mptcp4jNamespace()).append(" (TUN ").append(TestbedLayout.TUN)
                .append(": mptcp4j uses ").append(layout.mptcp4jAddressA().getHostAddress())
                .append(" and ").append(layout.mptcp4jAddressB().getHostAddress()).append(")\n");
        s.append("  kernel namespace  ").append(layout.kernelNamespace()).append(" (")
                .append(layout.kernelAddressA().getHostAddress()).append(", ")
                .append(layout.kernelAddressB().getHostAddress()).append(")\n");
        if (!isUp()) {
            return s.toString();
        }
        section(s, "mptcp4j side interfaces", "ip", "-n", layout.mptcp4jNamespace(), "-br", "addr");
        section(s, "kernel side interfaces", "ip", "-n", layout.kernelNamespace(), "-br", "addr");
        section(s, "qdiscs (kernel side egress)", "tc", "-n", layout.kernelNamespace(), "qdisc", "show");
        section(s, "qdiscs (mptcp4j side egress)", "tc", "-n", layout.mptcp4jNamespace(), "qdisc", "show");
        if (config.lossAPercent() > 0 || config.lossBPercent() > 0) {
            section(s, "loss rules (mptcp4j side, packets arriving from the paths)",
                    "ip", "netns", "exec", layout.mptcp4jNamespace(), "nft", "list", "table", "inet", LOSS_TABLE);
            section(s, "loss rules (kernel side, packets arriving from the paths)",
                    "ip", "netns", "exec", layout.kernelNamespace(), "nft", "list", "table", "inet", LOSS_TABLE);
        }
        s.append("  veth offloads:\n");
        for (String[] end : vethEnds()) {
            s.append("    ").append(end[1]).append(": ").append(offloadSummary(end[0], end[1])).append('\n');
        }
        section(s, "kernel MPTCP limits", "ip", "-n", layout.kernelNamespace(), "mptcp", "limits", "show");
        section(s, "kernel MPTCP endpoints", "ip", "-n", layout.kernelNamespace(), "mptcp", "endpoint", "show");
        return s.toString();
    }

    private static void section(StringBuilder s, String title, String... command) throws IOException {
        s.append("  ").append(title).append(":\n");
        Shell.Result r = Shell.tryRun(command);
        for (String line : r.output().strip().split("\n")) {
            if (!line.isBlank()) {
                s.append("    ").append(line.strip()).append('\n');
            }
        }
    }

    /** The nftables table (family {@code inet}: IPv4 and IPv6 alike) that holds the loss rules in each namespace. */
    public static final String LOSS_TABLE = "mptcp4j_loss";

    /** Namespace and device of the four veth ends. */
    private String[][] vethEnds() {
        String m = layout.mptcp4jNamespace();
        String k = layout.kernelNamespace();
        return new String[][] {{m, TestbedLayout.PATH_A_LOCAL_IF}, {m, TestbedLayout.PATH_B_LOCAL_IF},
                {k, TestbedLayout.PATH_A_KERNEL_IF}, {k, TestbedLayout.PATH_B_KERNEL_IF}};
    }

    /** {@code tso on, gso on, gro off} as {@code ethtool -k} reports them. */
    private static String offloadSummary(String ns, String dev) throws IOException {
        Shell.Result r = Shell.tryRun("ip", "netns", "exec", ns, "ethtool", "-k", dev);
        if (!r.ok()) {
            return "unknown (ethtool -k failed: " + r.output().strip() + ")";
        }
        List<String> parts = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String l = line.strip();
            for (String[] f : new String[][] {{"tcp-segmentation-offload:", "tso"},
                    {"generic-segmentation-offload:", "gso"}, {"generic-receive-offload:", "gro"}}) {
                if (l.startsWith(f[0])) {
                    parts.add(f[1] + " " + l.substring(f[0].length()).strip());
                }
            }
        }
        return String.join(", ", parts);
    }

    /**
     * Random loss on a path, applied to packets as they arrive from the veth, in the namespace that
     * receives them: the mptcp4j side's prerouting for what the kernel sends, the kernel side's for
     * what mptcp4j or the router sends. Never on a sender's own output hook: a packet dropped there is
     * a local transmit error, after which the kernel's TCP keeps the segment as unsent and sends it on
     * its next attempt, with no loss detected and no retransmission counted.
     * Prerouting on arrival treats every endpoint alike: mptcp4j behind the TUN (forwarded by the
     * router) and the router's own kernel (the reference, delivered locally) meet the same drops.
     */
    private void installLoss() throws IOException {
        installLoss(config.lossAPercent(), config.lossBPercent());
    }

    /**
     * Replaces the testbed's loss while it runs (e.g. while a transfer is under way), placed as
     * {@link #installLoss()} places it; 0 and 0 removes it. The testbed's {@link #config()} keeps
     * the loss it was brought up with.
     */
    public void setLoss(double lossAPercent, double lossBPercent) throws IOException {
        TestbedConfig.lossThreshold(lossAPercent);
        TestbedConfig.lossThreshold(lossBPercent);
        for (String ns : new String[] {layout.mptcp4jNamespace(), layout.kernelNamespace()}) {
            if (Shell.hasProgram("nft")) {
                Shell.tryRun("ip", "netns", "exec", ns, "nft", "delete", "table", "inet", LOSS_TABLE);
            }
        }
        installLoss(lossAPercent, lossBPercent);
    }

    private void installLoss(double lossAPercent, double lossBPercent) throws IOException {
        if (lossAPercent == 0 && lossBPercent == 0) {
            return;
        }
        requireProgram("nft", "nftables");
        for (String[] end : vethEnds()) {
            String ns = end[0];
            String dev = end[1];
            boolean pathA = dev.equals(TestbedLayout.PATH_A_LOCAL_IF) || dev.equals(TestbedLayout.PATH_A_KERNEL_IF);
            double loss = pathA ? lossAPercent : lossBPercent;
            if (loss == 0) {
                continue;
            }
            // "add" is idempotent for the table and chain, so the second device of a namespace reuses them.
            nft(ns, "add", "table", "inet", LOSS_TABLE);
            nft(ns, "add", "chain", "inet", LOSS_TABLE, "prerouting",
                    "{ type filter hook prerouting priority raw; policy accept; }");
            if (loss == 100) {
                // A dead link (numgen's modulus leaves no threshold that takes every packet).
                nft(ns, "add", "rule", "inet", LOSS_TABLE, "prerouting", "iifname", "\"" + dev + "\"", "counter", "drop");
                continue;
            }
            nft(ns, "add", "rule", "inet", LOSS_TABLE, "prerouting", "iifname", "\"" + dev + "\"",
                    "numgen", "random", "mod", Integer.toString(TestbedConfig.LOSS_MODULUS),
                    "<", Integer.toString(TestbedConfig.lossThreshold(loss)), "counter", "drop");
        }
    }

    /** TSO, GSO and GRO off on every veth end, so that a packet on the path is one MTU-sized segment. */
    private void disableOffload() throws IOException {
        requireProgram("ethtool", "ethtool");
        for (String[] end : vethEnds()) {
            Shell.run("ip", "netns", "exec", end[0], "ethtool", "-K", end[1], "tso", "off", "gso", "off", "gro", "off");
        }
    }

    private static void nft(String ns, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "nft"));
        cmd.addAll(List.of(args));
        Shell.run(cmd.toArray(String[]::new));
    }

    private static void requireProgram(String program, String debianPackage) throws IOException {
        if (!Shell.hasProgram(program)) {
            throw new IOException(program + " is not installed (Debian/Ubuntu: apt-get install " + debianPackage + ")");
        }
    }

    private void build() throws IOException {
        String m = layout.mptcp4jNamespace();
        String k = layout.kernelNamespace();
        String mtu = Integer.toString(config.mtu());
        Shell.run("ip", "netns", "add", m);
        Shell.run("ip", "netns", "add", k);
        ip(m, "link", "set", "lo", "up");
        ip(k, "link", "set", "lo", "up");

        // Each path is one veth pair created directly inside the two namespaces: nothing touches the host's own namespace.
        Shell.run("ip", "link", "add", TestbedLayout.PATH_A_LOCAL_IF, "netns", m, "mtu", mtu, "type", "veth",
                "peer", "name", TestbedLayout.PATH_A_KERNEL_IF, "netns", k, "mtu", mtu);
        Shell.run("ip", "link", "add", TestbedLayout.PATH_B_LOCAL_IF, "netns", m, "mtu", mtu, "type", "veth",
                "peer", "name", TestbedLayout.PATH_B_KERNEL_IF, "netns", k, "mtu", mtu);
        address(m, TestbedLayout.PATH_A_LOCAL_IF, layout.routerAddressA().getHostAddress());
        address(m, TestbedLayout.PATH_B_LOCAL_IF, layout.routerAddressB().getHostAddress());
        address(k, TestbedLayout.PATH_A_KERNEL_IF, layout.kernelAddressA().getHostAddress());
        address(k, TestbedLayout.PATH_B_KERNEL_IF, layout.kernelAddressB().getHostAddress());

        // A persistent TUN (IFF_TUN | IFF_NO_PI, what `ip tuntap` makes without "pi") that mptcp4j attaches to by name.
        ip(m, "tuntap", "add", "dev", TestbedLayout.TUN, "mode", "tun");
        ip(m, "link", "set", TestbedLayout.TUN, "mtu", mtu, "txqueuelen", "1000", "up");
        Shell.run("ip", "netns", "exec", m, "sysctl", "-qw", "net.ipv4.ip_forward=1",
                "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0");
        route(layout.family(false));
        // The IPv6 twins: nodad, so that an address is usable at once instead of "tentative" for
        // the second duplicate address detection takes (RFC 4862 section 5.4; there is nothing to collide with).
        TestbedLayout.Family v6 = layout.family(true);
        address6(m, TestbedLayout.PATH_A_LOCAL_IF, v6.routerA());
        address6(m, TestbedLayout.PATH_B_LOCAL_IF, v6.routerB());
        address6(k, TestbedLayout.PATH_A_KERNEL_IF, v6.kernelA());
        address6(k, TestbedLayout.PATH_B_KERNEL_IF, v6.kernelB());
        Shell.run("ip", "netns", "exec", m, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=1");
        route(v6);

        // Linux defaults to 2 subflows and 0 accepted ADD_ADDRs; open both up to the RFC-ish maximum of 8.
        for (String ns : List.of(k, m)) {
            ip(ns, "mptcp", "limits", "set", "subflows", "8", "add_addr_accepted", "8");
        }
        ip(k, "mptcp", "endpoint", "add", layout.kernelAddressB().getHostAddress(),
                "dev", TestbedLayout.PATH_B_KERNEL_IF, "signal", "subflow");
        ip(m, "mptcp", "endpoint", "add", layout.routerAddressB().getHostAddress(),
                "dev", TestbedLayout.PATH_B_LOCAL_IF, "signal", "subflow");

        shape(m, TestbedLayout.PATH_A_LOCAL_IF, config.rateABps());
        shape(k, TestbedLayout.PATH_A_KERNEL_IF, config.rateABps());
        shape(m, TestbedLayout.PATH_B_LOCAL_IF, config.rateBBps());
        shape(k, TestbedLayout.PATH_B_KERNEL_IF, config.rateBBps());
        if (!config.offload()) {
            disableOffload();
        }
        installLoss();
        for (String[] end : vethEnds()) {
            awaitOperationallyUp(end[0], end[1]);
        }
    }

    /**
     * Waits until {@code dev} reports operational state UP (RFC 2863, {@code ip link}'s "state UP").
     * Linux turns a carrier on at once but sets the operational state and swaps the device's
     * transmit queue from the "noop" qdisc, which drops everything, to its real one later, in its
     * link-watch work; on a loaded machine that can lag, and a packet sent meanwhile is lost.
     * That work sets the state just before it swaps the queue, in one step, so once the state
     * reads UP the link carries packets, or does so microseconds later.
     */
    private static void awaitOperationallyUp(String ns, String dev) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        String state;
        while (!(state = Shell.run("ip", "-n", ns, "-o", "link", "show", "dev", dev)).contains(" state UP ")) {
            if (System.nanoTime() > deadline) {
                throw new IOException(dev + " in " + ns + " is not operationally up after 10 s: " + state.strip());
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for " + dev + " in " + ns + " to come up", e);
            }
        }
    }

    /**
     * The routes and policy rules of one family. A subflow takes the path of its mptcp4j-side
     * address, in both directions. A subflow between the two sides' different addresses (mptcp4j's
     * A and the kernel's B, as when the kernel joins from its B endpoint to mptcp4j's initial
     * address, or mptcp4j joins an announced kernel B address) takes path B both ways: the router
     * sends to the kernel's B address over path B whatever the source, and the kernel sends from
     * its B address over path B.
     */
    private void route(TestbedLayout.Family f) throws IOException {
        String m = layout.mptcp4jNamespace();
        String k = layout.kernelNamespace();
        String v = "-" + f.version();
        String host = "/" + f.hostPrefixLength();
        ip(m, v, "route", "add", f.mptcp4jA().getHostAddress() + host, "dev", TestbedLayout.TUN);
        ip(m, v, "route", "add", f.mptcp4jB().getHostAddress() + host, "dev", TestbedLayout.TUN);
        ip(m, v, "rule", "add", "from", f.mptcp4jA().getHostAddress(), "table", "101");
        ip(m, v, "route", "add", "default", "via", f.kernelA().getHostAddress(),
                "dev", TestbedLayout.PATH_A_LOCAL_IF, "table", "101");
        ip(m, v, "rule", "add", "from", f.mptcp4jB().getHostAddress(), "table", "102");
        ip(m, v, "route", "add", "default", "via", f.kernelB().getHostAddress(),
                "dev", TestbedLayout.PATH_B_LOCAL_IF, "table", "102");
        ip(k, v, "route", "add", f.mptcp4jA().getHostAddress() + host,
                "via", f.routerA().getHostAddress(), "dev", TestbedLayout.PATH_A_KERNEL_IF);
        ip(k, v, "route", "add", f.mptcp4jB().getHostAddress() + host,
                "via", f.routerB().getHostAddress(), "dev", TestbedLayout.PATH_B_KERNEL_IF);
        ip(m, v, "route", "add", f.kernelB().getHostAddress() + host, "dev", TestbedLayout.PATH_B_LOCAL_IF,
                "table", "101");
        ip(k, v, "rule", "add", "from", f.kernelB().getHostAddress(), "table", "102");
        ip(k, v, "route", "add", "default", "via", f.routerB().getHostAddress(),
                "dev", TestbedLayout.PATH_B_KERNEL_IF, "table", "102");
    }

    private void address6(String ns, String dev, java.net.InetAddress address) throws IOException {
        ip(ns, "-6", "addr", "add", address.getHostAddress() + "/64", "dev", dev, "nodad");
    }

    private void address(String ns, String dev, String address) throws IOException {
        ip(ns, "addr", "add", address + "/24", "dev", dev);
        ip(ns, "link", "set", dev, "up");
    }

    /** Rate-limits the egress of {@code dev}; tbf with a 1 ms burst and 20 ms of queue, or an htb class. */
    private void shape(String ns, String dev, long rateBps) throws IOException {
        if (rateBps == 0) {
            return;
        }
        String rate = Long.toString(rateBps) + "bit";
        if (config.qdisc().equals("tbf")) {
            long bytesPerSecond = rateBps / 8;
            long burst = Math.max(4L * config.mtu(), bytesPerSecond / 1000);
            long limit = burst + Math.max(4L * config.mtu(), bytesPerSecond / 50);
            Shell.run("tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "tbf", "rate", rate,
                    "burst", Long.toString(burst), "limit", Long.toString(limit));
        } else {
            Shell.run("tc", "-n", ns, "qdisc", "add", "dev", dev, "root", "handle", "1:", "htb", "default", "1");
            Shell.run("tc", "-n", ns, "class", "add", "dev", dev, "parent", "1:", "classid", "1:1", "htb",
                    "rate", rate, "ceil", rate);
        }
    }

    private static void ip(String ns, String... args) throws IOException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = ns;
        System.arraycopy(args, 0, cmd, 3, args.length);
        Shell.run(cmd);
    }

    private static Path stateFile(String id) {
        return stateDirectory().resolve("testbed-" + id + ".properties");
    }

    private void saveState() throws IOException {
        Files.createDirectories(stateDirectory());
        Properties p = new Properties();
        p.setProperty("id", config.id());
        p.setProperty("mtu", Integer.toString(config.mtu()));
        p.setProperty("rateA", Long.toString(config.rateABps()));
        p.setProperty("rateB", Long.toString(config.rateBBps()));
        p.setProperty("qdisc", config.qdisc());
        p.setProperty("lossA", Double.toString(config.lossAPercent()));
        p.setProperty("lossB", Double.toString(config.lossBPercent()));
        p.setProperty("offload", Boolean.toString(config.offload()));
        try (Writer w = Files.newBufferedWriter(stateFile(config.id()))) {
            p.store(w, "mptcp4j testbed; remove with: ./mptcp4j testbed down --id " + config.id());
        }
    }

    private static Testbed load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        try {
            return new Testbed(new TestbedConfig(p.getProperty("id"), Integer.parseInt(p.getProperty("mtu")),
                    Long.parseLong(p.getProperty("rateA")), Long.parseLong(p.getProperty("rateB")), p.getProperty("qdisc"),
                    // State files written before loss and offload existed describe a testbed without loss, offload on.
                    Double.parseDouble(p.getProperty("lossA", "0")), Double.parseDouble(p.getProperty("lossB", "0")),
                    Boolean.parseBoolean(p.getProperty("offload", "true"))));
        } catch (RuntimeException e) {
            throw new IOException("unreadable testbed state file " + file + ": " + e.getMessage(), e);
        }
    }
}
