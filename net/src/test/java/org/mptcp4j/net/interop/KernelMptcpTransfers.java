package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.testbed.Capture;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.KernelSubflow;
import org.mptcp4j.net.testbed.MptcpAnalysis;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.RebuiltStream;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

/**
 * The transfer the kernel interop tests share: mptcp4j on the testbed's TUN against a kernel peer
 * ({@code kernel_peer.py}) in the kernel's namespace, both ends sending at once, checked by SHA-256
 * both ways, with the counter deltas of both ends, the kernel's subflows while the connection is
 * open, and tshark's analysis of a capture on the kernel's side.
 */
final class KernelMptcpTransfers {
    private final Testbed testbed;
    private final KernelMptcp kernel;

    private KernelMptcpTransfers(Testbed testbed, KernelMptcp kernel) {
        this.testbed = testbed;
        this.kernel = kernel;
    }

    /**
     * Brings up a testbed of two 200 Mbit/s paths (a full capture stays within what tshark writes
     * without drops), or skips the test class when root, a TUN or a needed program is missing.
     */
    static KernelMptcpTransfers up() throws IOException {
        NetCapabilities.requireRootTunAndNamespaces();
        for (String program : new String[] {"python3", "nstat", "ss", "tshark", "nft"}) {
            NetCapabilities.requireProgram(program);
        }
        Testbed testbed = Testbed.up(TestbedConfig.defaults(Testbed.newId()).withRates(200_000_000L, 200_000_000L));
        return new KernelMptcpTransfers(testbed, KernelMptcp.in(testbed.layout().kernelNamespace()));
    }

    Testbed testbed() {
        return testbed;
    }

    KernelMptcp kernel() {
        return kernel;
    }

    /** Removes the testbed (null: it never came up). */
    static void down(KernelMptcpTransfers transfers) throws IOException {
        if (transfers != null) {
            Testbed.down(transfers.testbed.config().id());
        }
    }

    /** The name the next transfers' evidence is kept under (the case running): see {@link #keepEvidence}. */
    private String caseName = "kernel-transfer";

    /** Files the evidence of the next transfers whose streams differ under {@code name}. */
    void caseName(String name) {
        caseName = name;
    }

    /** The kernel as each case starts: MPTCP on, no checksums, no endpoints, limits 8 8, no loss. */
    void kernelDefaults() throws IOException {
        kernel.setEnabled(true);
        kernel.setChecksumEnabled(false);
        kernel.flushEndpoints();
        kernel.setLimits(new KernelMptcp.Limits(8, 8));
        testbed.setLoss(0, 0);
        flagCExpected = false;
    }

    enum Role { MPTCP4J_CLIENT, KERNEL_CLIENT }

    /** The seed of the bytes mptcp4j sends ({@link Transfers#send}). */
    private static final long OUR_SEED = 1;

    /**
     * tshark's dissector reads MP_CAPABLE's bits C to H as RFC 6824's crypto algorithm field, so
     * RFC 8684's flag C ("no more subflows to this address and port") shows as this problem.
     */
    static final String TSHARK_FLAG_C_AS_ALGORITHM = "mptcp.connection.unsupported_algorithm";
    private boolean flagCExpected;

    /** Whether an MP_CAPABLE in the next transfers may carry flag C (the kernel's allow_join_initial_addr_port=0). */
    void expectFlagC(boolean expected) {
        flagCExpected = expected;
    }

    /** mptcp4j on the TUN with {@code mptcp} (null: MPTCP off), owning path A's and B's IPv4 addresses. */
    MptcpHost start(MptcpConfig mptcp) throws IOException {
        TestbedLayout l = testbed.layout();
        return start(mptcp, List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()));
    }

    /** mptcp4j on the TUN with {@code mptcp}, owning {@code addresses} (of both families, on a dual-stack host). */
    MptcpHost start(MptcpConfig mptcp, List<InetAddress> addresses) throws IOException {
        StackConfig config = mptcp == null ? StackConfig.defaults().withMptcpEnabled(false)
                : StackConfig.defaults().withMptcp(mptcp);
        return MptcpHost.start("tun-mptcp", config, new SecureRng(), new TunLink(testbed.openTun(false, false), true),
                addresses, null, null);
    }

    /**
     * The socket the kernel's application opens, as mptcp_join.sh's {@code mptcp_connect} picks it
     * from the address it is given. Linux decides by it which subflows a connection may have
     * ({@code mptcp_pm_addr_families_match}): an AF_INET socket only IPv4 ones, an AF_INET6 socket
     * IPv6 ones and IPv4 ones (an IPv4 address there is IPv4-mapped, {@code ::ffff:a.b.c.d}, RFC 4291
     * section 2.5.5.2), each subflow between addresses of one family.
     */
    enum KernelSocket {
        /** AF_INET: IPv4 addresses. */
        INET,
        /** AF_INET6 with the IPv4 addresses mapped: IPv4 on the wire. */
        INET6_MAPPED,
        /** AF_INET6 with IPv6 addresses. */
        INET6;

        /** {@code a} (IPv4, or IPv4-mapped as mptcp4j's side may give it) as the kernel's application writes it. */
        String literal(InetAddress a) {
            String host = org.mptcp4j.mptcp.V4Mapped.unmapped(a).getHostAddress();
            return this == INET6_MAPPED ? "::ffff:" + host : host;
        }

        /** The wildcard a server binds: "::" takes IPv4 connections too, as IPv4-mapped (bindv6only is 0). */
        String wildcard() {
            return this == INET ? "0.0.0.0" : "::";
        }
    }

    /** The initial subflow's addresses, mptcp4j's and the kernel's, and the kernel's socket. */
    record Initial(InetAddress ours, InetAddress kernel, KernelSocket socket) {}

    /** The initial subflow of the IPv4 cases: path A's addresses, an AF_INET socket. */
    Initial initialA() {
        TestbedLayout l = testbed.layout();
        return new Initial(l.mptcp4jAddressA(), l.kernelAddressA(), KernelSocket.INET);
    }

    /**
     * What one transfer showed: counter deltas of both ends, the kernel's subflows while the
     * connection was still open, and tshark's analysis of all of it and of each sender.
     */
    record Outcome(Map<String, Long> kernel, Map<String, Long> ours, List<KernelSubflow> subflows,
            MptcpAnalysis analysis, MptcpAnalysis fromUs, MptcpAnalysis fromKernel) {
        /** Two subflows (initial and join) of one connection, each carrying payload both ways, no MPTCP problem. */
        void assertTwoSubflowsCarriedData() {
            assertThat(subflows).as("the kernel's subflows (ss): %s", subflows).hasSize(2);
            assertThat(subflows).extracting(KernelSubflow::localToken).containsOnly(subflows.getFirst().localToken());
            for (KernelSubflow f : subflows) {
                // bytes_acked counts the SYN: more than 1 means payload was acknowledged.
                assertThat(f.bytesAcked()).as("bytes_acked of %s", f).isGreaterThan(1);
                assertThat(f.bytesReceived()).as("bytes_received of %s", f).isPositive();
            }
            assertThat(analysis.subflows()).as(analysis.summary()).isEqualTo(2);
            assertThat(analysis.connections()).as(analysis.summary()).isEqualTo(1);
            assertThat(kernel).as("kernel counters").containsEntry("MPTcpExtMPJoinAckHMacFailure", 0L)
                    .containsEntry("MPTcpExtMPJoinSynAckHMacFailure", 0L).containsEntry("MPTcpExtDataCsumErr", 0L)
                    .containsEntry("MPTcpExtMPCapableFallbackACK", 0L).containsEntry("MPTcpExtMPCapableFallbackSYNACK", 0L)
                    .containsEntry("MPTcpExtDSSNotMatching", 0L).containsEntry("MPTcpExtMPFallbackTokenInit", 0L)
                    .containsEntry("MPTcpExtMPRstRx", 0L).containsEntry("MPTcpExtMPRstTx", 0L);
            // MptcpHost.counters() has every counter, zeros included (nstat -az).
            assertThat(ours).as("mptcp4j counters").containsEntry("MPTcpExtDSSNotMatching", 0L)
                    .containsEntry("MPTcpExtMPJoinAckHMacFailure", 0L).containsEntry("MPTcpExtMPJoinSynAckHMacFailure", 0L)
                    .containsEntry("MPTcpExtDssFallback", 0L).containsEntry("MPTcpExtMPRstTx", 0L)
                    .containsEntry("MPTcpExtMPRstRx", 0L).containsEntry("MPTcpExtDataCsumErr", 0L)
                    .containsEntry("MPTcpExtMPFailTx", 0L);
        }
    }

    interface Action {
        void run() throws IOException;
    }


    /**
     * Both ends send {@code bytes} at once and read to EOF. mptcp4j uses path A's address for the
     * initial subflow, the kernel its path-A address; {@code whileFlowing} runs once both ends have
     * started. The kernel holds its DATA_FIN until released, so its subflows are read while open.
     */
    Outcome transfer(MptcpHost host, Role role, int port, int bytes, int snaplen, Action whileFlowing) throws Exception {
        return transfer(host, role, initialA(), port, bytes, snaplen, whileFlowing);
    }

    /** {@link #transfer(MptcpHost, Role, int, int, int, Action)} with the initial subflow between {@code initial}'s addresses. */
    Outcome transfer(MptcpHost host, Role role, Initial initial, int port, int bytes, int snaplen, Action whileFlowing)
            throws Exception {
        TestbedLayout l = testbed.layout();
        InetAddress oursA = initial.ours();
        Map<String, Long> kernelBefore = Nstat.read(l.kernelNamespace());
        Map<String, Long> oursBefore = host.counters();
        String size = Integer.toString(bytes);
        Path receivedFile = Files.createTempFile("mptcp4j-kernel-received-", ".bin");
        List<String> common = List.of("--port", Integer.toString(port), "--duplex", "--hold", "--expect", size,
                "--send", size, "--seed", "2", "--timeout", "120", "--received-file", receivedFile.toString());
        try (Capture capture = Capture.start(l.kernelNamespace(), "any", "tcp port " + port, snaplen)) {
            List<KernelSubflow> subflows;
            Map<String, String> k;
            Transfers.Result sent;
            Transfers.Result received;
            if (role == Role.MPTCP4J_CLIENT) {
                try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server",
                        args(List.of("--bind", initial.socket().wildcard()), common))) {
                    server.awaitListening();
                    try (MptcpSocket s = new MptcpSocket(host)) {
                        s.bind(new InetSocketAddress(oursA, 0));
                        s.connect(new InetSocketAddress(initial.kernel(), port), 10_000);
                        Duplex d = Duplex.start(s, bytes);
                        try {
                            whileFlowing.run();
                        } finally {
                            d.actionDone().complete(null);
                        }
                        sent = await(d.sending(), "mptcp4j's sending", s, host, port, kernelBefore, capture);
                        server.awaitHolding();
                        subflows = subflowsOn(port);
                        server.release();
                        received = await(d.receiving(), "mptcp4j's receiving", s, host, port, kernelBefore, capture);
                        k = server.awaitResult(120);
                    }
                }
            } else {
                try (MptcpServerSocket listener = new MptcpServerSocket(host, new InetSocketAddress(oursA, port), 8)) {
                    CompletableFuture<MptcpSocket> accepted = async(listener::accept);
                    try (KernelPeer client = KernelPeer.start(l.kernelNamespace(), "client",
                            args(List.of("--bind", initial.socket().literal(initial.kernel()),
                                    "--connect", initial.socket().literal(oursA)), common))) {
                        try (MptcpSocket s = accepted.get(10, TimeUnit.SECONDS)) {
                            Duplex d = Duplex.start(s, bytes);
                            try {
                                whileFlowing.run();
                            } finally {
                                d.actionDone().complete(null);
                            }
                            sent = await(d.sending(), "mptcp4j's sending", s, host, port, kernelBefore, capture);
                            client.awaitHolding();
                            subflows = subflowsOn(port);
                            client.release();
                            received = await(d.receiving(), "mptcp4j's receiving", s, host, port, kernelBefore, capture);
                            k = client.awaitResult(120);
                        }
                    }
                }
            }
            capture.stop();
            boolean kernelReadOtherBytes = !Objects.equals(k.get("received_sha256"), sent.sha256());
            if (kernelReadOtherBytes || !Objects.equals(received.sha256(), k.get("sent_sha256"))) {
                keepEvidence(capture.file(), receivedFile, port);
                System.err.println("the kernel's MPTCP counters in the transfer: " + kernelMptcpSince(kernelBefore));
                if (kernelReadOtherBytes && snaplen == 0) {
                    System.err.println(whoChangedOurStream(capture.file(), receivedFile, bytes));
                }
            }
            assertThat(k.get("received")).isEqualTo(size);
            assertThat(k.get("received_sha256")).as("the kernel received what mptcp4j sent").isEqualTo(sent.sha256());
            assertThat(received.bytes()).isEqualTo(bytes);
            assertThat(received.sha256()).as("mptcp4j received what the kernel sent").isEqualTo(k.get("sent_sha256"));
            MptcpAnalysis analysis = MptcpAnalysis.of(capture.file());
            assertThat(analysis.problems()).as(analysis.summary())
                    .filteredOn(p -> !(flagCExpected && p.field().equals(TSHARK_FLAG_C_AS_ALGORITHM))).isEmpty();
            return new Outcome(Nstat.delta(kernelBefore, Nstat.read(l.kernelNamespace())), Nstat.delta(oursBefore, host.counters()),
                    subflows, analysis, MptcpAnalysis.of(capture.file(), kernelAddresses("dst")),
                    MptcpAnalysis.of(capture.file(), kernelAddresses("src")));
        } finally {
            Files.deleteIfExists(receivedFile);
        }
    }

    /**
     * The kernel's subflows of this transfer's connection: the subflow with {@code port} at either
     * end and every subflow of the same MPTCP connection (the kernel's token), wherever a join
     * went (an announced address may carry a port of its own). {@code ss} lists every connection in
     * the namespace, and one a failed test left behind must not count in the next test's.
     */
    private List<KernelSubflow> subflowsOn(int port) throws IOException {
        String suffix = ":" + port;
        List<KernelSubflow> all = kernel.subflows();
        java.util.Set<Long> tokens = new java.util.HashSet<>();
        for (KernelSubflow f : all) {
            if (f.local().endsWith(suffix) || f.peer().endsWith(suffix)) {
                tokens.add(f.localToken());
            }
        }
        return all.stream().filter(f -> tokens.contains(f.localToken())).toList();
    }

    /**
     * One direction's end; when it does not come in 120 s, a failure that says what both ends
     * hold: mptcp4j's connection and counters, the kernel's subflows, sockets and MPTCP counters
     * since the transfer began, and the capture's last packets (seen once in CI: both directions
     * stopped with the join subflow gone).
     */
    private <T> T await(CompletableFuture<T> direction, String what, MptcpSocket s, MptcpHost host, int port,
            Map<String, Long> kernelBefore, Capture capture) throws Exception {
        try {
            return direction.get(120, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            Map<String, Long> counters = new java.util.TreeMap<>(host.counters());
            counters.values().removeIf(v -> v == 0);
            List<List<String>> packets = capture.fields("tcp", "frame.time_relative", "ip.src", "tcp.srcport", "ip.dst",
                    "tcp.dstport", "tcp.flags.str", "tcp.seq", "tcp.ack", "tcp.len", "tcp.window_size",
                    "tcp.options.mptcp.subtype");
            throw new AssertionError(what + " did not finish in 120 s. mptcp4j: " + describe(s) + "; its counters: "
                    + counters + ". The kernel's subflows on port " + port + ": " + subflowsOn(port)
                    + "; its MPTCP sockets: " + kernel.mptcpSockets() + "; its MPTCP counters: " + kernelMptcpSince(kernelBefore)
                    + ". The last of " + packets.size() + " packets captured (time, source, destination, flags, seq,"
                    + " ack, length, window, MPTCP subtypes): "
                    + packets.subList(Math.max(0, packets.size() - 40), packets.size()), e);
        }
    }

    /** The kernel's MPTCP counters that moved since {@code before}, by name. */
    private Map<String, Long> kernelMptcpSince(Map<String, Long> before) throws IOException {
        Map<String, Long> moved = new java.util.TreeMap<>(Nstat.delta(before, Nstat.read(testbed.layout().kernelNamespace())));
        moved.entrySet().removeIf(e -> e.getValue() == 0 || !e.getKey().startsWith("MPTcp"));
        return moved;
    }

    private static String describe(MptcpSocket s) {
        try {
            return s.info() + ", " + s.mptcpInfo();
        } catch (IOException e) {
            return "(no info: " + e.getMessage() + ")";
        }
    }

    /**
     * A stream arrived altered: keeps the capture (taken in the kernel's namespace, so it shows what
     * reached the kernel; with snaplen 0, as the join matrix takes it, whole packets, so that the
     * stream can be rebuilt from the DSS mappings; pcapng whatever the name) as
     * {@code target/failed-captures/<case>-<port>.pcap}, and the bytes the kernel's application read
     * as {@code <case>-<port>.received}, to tell which end changed the stream. Seen once in CI, in
     * {@code KernelJoinMatrixTest.add_subflowEndpointWhileRunning} (the kernel's application read
     * other bytes than mptcp4j wrote; nothing kept then), and in none of 338 runs of that case here
     * since, 290 of them beside a busy loop on the 2 cores: which end it was is still open.
     */
    private void keepEvidence(Path capture, Path receivedFile, int port) throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "failed-captures"));
        Path kept = dir.resolve(caseName + "-" + port + ".pcap");
        Files.copy(capture, kept, StandardCopyOption.REPLACE_EXISTING);
        Path keptReceived = dir.resolve(caseName + "-" + port + ".received");
        if (Files.exists(receivedFile)) {
            Files.copy(receivedFile, keptReceived, StandardCopyOption.REPLACE_EXISTING);
        }
        System.err.println("mptcp4j-kernel MPTCP stream differs (" + caseName + ", port " + port + "); capture kept in "
                + kept.toAbsolutePath() + ", the kernel's received bytes in " + keptReceived.toAbsolutePath());
    }

    /**
     * mptcp4j's stream as it wrote it, as the capture on the kernel's side holds it (each byte at its
     * DSN, by the DSS mappings) and as the kernel's application read it: right in the capture but
     * wrong in the application is the kernel's receive path; wrong in the capture is mptcp4j's (no
     * case alters payload on its way to the kernel: the fail cases alter the kernel's).
     */
    private String whoChangedOurStream(Path capture, Path receivedFile, int bytes) throws IOException {
        java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream(bytes);
        Transfers.send(written, bytes, OUR_SEED);
        byte[] ours = written.toByteArray();
        RebuiltStream wire = RebuiltStream.of(capture, kernelAddresses("dst"), bytes);
        String read = Files.exists(receivedFile)
                ? describe(RebuiltStream.differences(ours, Files.readAllBytes(receivedFile))) : "(not kept)";
        return String.format("mptcp4j's %d bytes in the capture on the kernel's side: %d missing, %d payload bytes"
                + " without a mapping, %d sent twice with different values, differing from what mptcp4j wrote: %s;"
                + " in what the kernel's application read, differing: %s", bytes, wire.missing(), wire.unmapped(),
                wire.conflicts(), describe(wire.differences(ours)), read);
    }

    private static String describe(List<Integer> offsets) {
        return offsets.isEmpty() ? "none"
                : offsets.size() + " bytes, offsets " + offsets.getFirst() + " to " + offsets.getLast();
    }

    /** A tshark filter: packets whose {@code field} ("src" or "dst") is one of the kernel's addresses, IPv4 or IPv6. */
    private String kernelAddresses(String field) {
        TestbedLayout l = testbed.layout();
        return "ip." + field + " == " + l.kernelAddressA().getHostAddress() + " || ip." + field + " == "
                + l.kernelAddressB().getHostAddress() + " || ipv6." + field + " == " + l.kernelAddressA6().getHostAddress()
                + " || ipv6." + field + " == " + l.kernelAddressB6().getHostAddress();
    }

    /**
     * Our end of a duplex transfer: sends {@code bytes}, then shuts output once the case's action
     * while data flows is done ({@link #actionDone}), while reading to EOF. A DATA_FIN before the
     * action's joins would stop them (neither end joins once a DATA_FIN is out: the kernel counts
     * MPJoinRejected, mptcp4j opens none), as 2 MB can be sent before a join SYN leaves.
     */
    private record Duplex(CompletableFuture<Transfers.Result> sending, CompletableFuture<Transfers.Result> receiving,
            CompletableFuture<Void> actionDone) {
        static Duplex start(MptcpSocket s, int bytes) {
            CompletableFuture<Void> actionDone = new CompletableFuture<>();
            return new Duplex(async(() -> {
                Transfers.Result r = Transfers.send(s.getOutputStream(), bytes, OUR_SEED);
                actionDone.get(120, TimeUnit.SECONDS);
                s.shutdownOutput();
                return r;
            }), async(() -> Transfers.receive(s.getInputStream())), actionDone);
        }
    }

    static <T> CompletableFuture<T> async(Callable<T> task) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    /**
     * kernel_peer.py's arguments: an MPTCP socket unless the kernel has MPTCP off, where
     * {@code socket(..., IPPROTO_MPTCP)} fails with ENOPROTOOPT and applications (mptcpize, Go) fall
     * back to a TCP socket.
     */
    private String[] args(List<String> own, List<String> common) throws IOException {
        List<String> a = new ArrayList<>(own);
        if (kernel.enabled()) {
            a.add("--mptcp");
        }
        a.addAll(common);
        return a.toArray(String[]::new);
    }
}
