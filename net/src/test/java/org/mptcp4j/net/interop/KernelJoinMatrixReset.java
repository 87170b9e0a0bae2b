package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.net.interop.KernelJoinMatrixTest.assertAddAddr;
import static org.mptcp4j.net.interop.KernelJoinMatrixTest.assertJoins;
import static org.mptcp4j.net.interop.KernelJoinMatrixTest.row;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.PmEvent;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Action;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Initial;
import org.mptcp4j.net.interop.KernelMptcpTransfers.KernelSocket;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Outcome;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Role;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Shell;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

/**
 * Cases of {@code mptcp_join.sh} about subflows ending, run by {@link KernelJoinMatrixTest} in its
 * style (2 MB each way at once, SHA-256 both ways, the script's counters on both ends): MP_TCPRST
 * both ways ({@code chk_rst_nr}: MPTcpExtMPRstTx/Rx, the reason on the receiver's SF_CLOSED);
 * REMOVE_ADDR of address id 0 and {@code ip mptcp endpoint flush} from the remove group
 * ({@code chk_rm_nr}, {@code chk_rm_tx_nr}), both roles; and the fail group's "Infinite map" (one
 * subflow, both requiring checksums, a byte altered in the path: MP_FAIL, an infinite mapping,
 * fallback; {@code chk_fail_nr}, {@code chk_infi_nr}), whose altered byte reaches the application,
 * as the script expects. And the v4mapped group's
 * "single subflow IPv4-mapped" and "signal address IPv4-mapped" with mptcp4j's own side mapped
 * ({@link org.mptcp4j.mptcp.V4Mapped}), both roles.
 */
interface KernelJoinMatrixReset {
    /** Starts mptcp4j with {@code mptcp} owning {@code addresses} and runs the case's transfer. */
    Outcome run(MptcpConfig mptcp, List<InetAddress> addresses, Role role, Initial initial, int port, Action whileFlowing)
            throws Exception;

    /** The running mptcp4j host of the case. */
    MptcpHost host();

    /** The nft table the case adds; KernelJoinMatrixTest deletes it from both namespaces after each case. */
    String ERROR_TABLE = "mptcp4j_join_error";

    private static TestbedLayout layout() {
        return KernelJoinMatrixTest.testbed.layout();
    }

    private static KernelMptcp kernel() {
        return KernelJoinMatrixTest.kernel;
    }

    private static List<InetAddress> ipv4() {
        return List.of(layout().mptcp4jAddressA(), layout().mptcp4jAddressB());
    }

    private static Initial initialA() {
        return new Initial(layout().mptcp4jAddressA(), layout().kernelAddressA(), KernelSocket.INET);
    }

    private Outcome run(MptcpConfig mptcp, Role role, int port, Action whileFlowing) throws Exception {
        return run(mptcp, ipv4(), role, initialA(), port, whileFlowing);
    }

    private static KernelMptcp.Endpoint kernelEndpointB(KernelMptcp.Flag flag) {
        return KernelMptcp.Endpoint.of(layout().kernelAddressB().getHostAddress(), TestbedLayout.PATH_B_KERNEL_IF, flag);
    }

    private static MptcpConfig mptcp4jEndpointB(Endpoint.Flag flag) {
        return MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(layout().mptcp4jAddressB(), 1, flag)));
    }

    /** {@code ip mptcp endpoint delete id 0 ADDRESS} in the kernel's namespace (Linux 6.x). */
    private static void kernelDeleteIdZero(InetAddress address) throws IOException {
        Shell.run("ip", "netns", "exec", layout().kernelNamespace(), "ip", "mptcp", "endpoint", "delete", "id", "0",
                address.getHostAddress());
    }

    /** {@code chk_rm_nr addr subflow}: RmAddr where the REMOVE_ADDR arrived, RmSubflow where the address went. */
    private static void assertRemoved(Map<String, Long> remover, Map<String, Long> peer, long rmAddrTx, long rmAddr,
            long rmSubflow, String who) {
        assertThat(remover).as("remover (%s); peer %s", who, peer).containsEntry("MPTcpExtRmAddrTx", rmAddrTx)
                .containsEntry("MPTcpExtRmSubflow", rmSubflow);
        assertThat(peer).as("peer; remover (%s) %s", who, remover).containsEntry("MPTcpExtRmAddr", rmAddr);
    }

    // ---- MP_TCPRST both ways (chk_rst_nr)

    @Test
    default void reset_weReceiveTheKernelsMpTcpRst() throws Exception {
        row("reset", "MP_TCPRST sent by the kernel", Role.MPTCP4J_CLIENT,
                "kernel: limits 0 0; mptcp4j: `subflow` endpoint on B added once data flows; the kernel refuses the join, mptcp4j's SF_CLOSED shows its reason", () -> {
            kernel().setLimits(new KernelMptcp.Limits(0, 0));
            List<PmEvent> events = new ArrayList<>();
            Outcome o = run(MptcpConfig.defaults(), Role.MPTCP4J_CLIENT, 6102, () -> {
                host().setPmMonitor(true); // before the join: the events are kept from now on
                host().addEndpoint(Endpoint.of(layout().mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW));
                KernelJoinMatrixTest.await(() -> {
                    events.addAll(host().pollPmEvents());
                    return events.stream().anyMatch(e -> e.type() == PmEvent.Type.SUB_CLOSED);
                });
            });
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 0);
            // The kernel refuses it from its request socket, whose RST carries MP_TCPRST but is not
            // counted in MPRstTx (only a full subflow's is).
            assertThat(o.kernel()).as("kernel counters; mptcp4j's %s", o.ours()).containsEntry("MPTcpExtMPJoinRejected", 1L);
            assertThat(o.ours()).as("mptcp4j counters; kernel's %s", o.kernel()).containsEntry("MPTcpExtMPRstRx", 1L);
            // Linux refuses a join beyond its limit with MPTCP_RST_EPROHIBIT, not transient.
            assertThat(events).as("mptcp4j's monitor").filteredOn(e -> e.type() == PmEvent.Type.SUB_CLOSED)
                    .singleElement().satisfies(e -> {
                        assertThat(e.resetReason()).as(e.toMonitorLine()).isEqualTo(3);
                        assertThat(e.resetFlags()).as(e.toMonitorLine()).isZero();
                    });
        });
    }

    // ---- remove_tests: address id 0, flush

    @Test
    default void remove_idZeroSubflow() throws Exception {
        row("remove", "remove id 0 subflow", Role.MPTCP4J_CLIENT,
                "mptcp4j: `subflow` endpoint on B; its initial address (id 0) deleted while data flows", () -> {
            Outcome o = run(mptcp4jEndpointB(Endpoint.Flag.SUBFLOW), Role.MPTCP4J_CLIENT, 6111, () -> {
                KernelJoinMatrixTest.awaitJoined();
                assertThat(host().removeAddressZero(layout().mptcp4jAddressA())).isEqualTo(1);
            });
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            // chk_rm_nr 1 1.
            assertRemoved(o.ours(), o.kernel(), 1, 1, 1, "mptcp4j");
            assertThat(o.subflows()).as("the kernel's subflows after the delete").singleElement()
                    .satisfies(f -> assertThat(InetAddress.ofLiteral(f.peerAddress())).isEqualTo(layout().mptcp4jAddressB()));
        });
    }

    @Test
    default void remove_idZeroSubflow_kernelClient() throws Exception {
        row("remove", "remove id 0 subflow", Role.KERNEL_CLIENT,
                "kernel: `subflow` endpoint on B; its initial address (id 0) deleted while data flows", () -> {
            kernel().addEndpoint(kernelEndpointB(KernelMptcp.Flag.SUBFLOW));
            Outcome o = run(MptcpConfig.defaults(), Role.KERNEL_CLIENT, 6112, () -> {
                KernelJoinMatrixTest.awaitJoined();
                kernelDeleteIdZero(layout().kernelAddressA());
            });
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            assertRemoved(o.kernel(), o.ours(), 1, 1, 1, "kernel");
            assertThat(o.subflows()).as("the kernel's subflows after the delete").hasSize(1);
        });
    }

    @Test
    default void remove_idZeroAddress() throws Exception {
        row("remove", "remove id 0 address", Role.MPTCP4J_CLIENT,
                "kernel: `signal` endpoint on B; mptcp4j: add_addr_accepted 1; the kernel's initial address (id 0) deleted while data flows",
                () -> {
            kernel().addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)), Role.MPTCP4J_CLIENT, 6113, () -> {
                KernelJoinMatrixTest.awaitJoined();
                kernelDeleteIdZero(layout().kernelAddressA());
            });
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            // chk_rm_nr 1 1 invert.
            assertRemoved(o.kernel(), o.ours(), 1, 1, 1, "kernel");
            assertThat(o.subflows()).as("the kernel's subflows after the delete").hasSize(1);
        });
    }

    @Test
    default void remove_idZeroAddress_kernelClient() throws Exception {
        row("remove", "remove id 0 address", Role.KERNEL_CLIENT,
                "mptcp4j: `signal` endpoint on B; its initial address (id 0) deleted while data flows", () -> {
            Outcome o = run(mptcp4jEndpointB(Endpoint.Flag.SIGNAL), Role.KERNEL_CLIENT, 6114, () -> {
                KernelJoinMatrixTest.awaitJoined();
                assertThat(host().removeAddressZero(layout().mptcp4jAddressA())).isEqualTo(1);
            });
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            assertRemoved(o.ours(), o.kernel(), 1, 1, 1, "mptcp4j");
            assertThat(o.subflows()).as("the kernel's subflows after the delete").singleElement()
                    .satisfies(f -> assertThat(InetAddress.ofLiteral(f.peerAddress())).isEqualTo(layout().mptcp4jAddressB()));
        });
    }

    @Test
    default void remove_flushSubflows() throws Exception {
        row("remove", "flush subflows", Role.MPTCP4J_CLIENT, "mptcp4j: `subflow` endpoint on B; `flush` while data flows",
                () -> {
            Outcome o = run(mptcp4jEndpointB(Endpoint.Flag.SUBFLOW), Role.MPTCP4J_CLIENT, 6115, () -> {
                KernelJoinMatrixTest.awaitJoined();
                host().flushEndpoints();
            });
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            // chk_rm_tx_nr 0, chk_rm_nr 0 1: a flushed subflow endpoint's subflows close without REMOVE_ADDR.
            assertRemoved(o.ours(), o.kernel(), 0, 0, 1, "mptcp4j");
            // chk_rst_nr 1 1: the subflow is reset with MP_TCPRST (reason 0); no REMOVE_ADDR closes
            // the kernel's end first, so the kernel takes it (on an established subflow: Linux
            // drops the options of a RST to a join still waiting for its fourth ACK, and resets it).
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPRstTx", 1L);
            assertThat(o.kernel()).as("kernel counters").containsEntry("MPTcpExtMPRstRx", 1L);
            assertThat(o.subflows()).as("the kernel's subflows after the flush").hasSize(1);
            assertThat(host().endpoints()).isEmpty();
        });
    }

    @Test
    default void remove_flushSubflows_kernelClient() throws Exception {
        row("remove", "flush subflows", Role.KERNEL_CLIENT, "kernel: `subflow` endpoint on B; `flush` while data flows",
                () -> {
            kernel().addEndpoint(kernelEndpointB(KernelMptcp.Flag.SUBFLOW));
            Outcome o = run(MptcpConfig.defaults(), Role.KERNEL_CLIENT, 6116, () -> {
                // ss lists the join from its SYN on: wait for its third ACK here, or the flush
                // takes the join in its handshake.
                KernelJoinMatrixTest.await(() -> host().counters().get("MPTcpExtMPJoinAckRx") >= 1);
                kernel().flushEndpoints();
            });
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            assertRemoved(o.kernel(), o.ours(), 0, 0, 1, "kernel");
            assertThat(o.subflows()).as("the kernel's subflows after the flush").hasSize(1);
        });
    }

    @Test
    default void remove_flushAddresses() throws Exception {
        row("remove", "flush addresses", Role.MPTCP4J_CLIENT,
                "kernel: `signal` endpoint on B, `flush` while data flows; mptcp4j: add_addr_accepted 1", () -> {
            kernel().addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)), Role.MPTCP4J_CLIENT, 6117, () -> {
                KernelJoinMatrixTest.awaitJoined();
                kernel().flushEndpoints();
            });
            // chk_add_nr 1 1 on mptcp4j's side; the kernel counted AddAddrTx 2 in our runs of its
            // flush (1 when it deletes the endpoint by id), with one ADD_ADDR received here.
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtAddAddr", 1L)
                    .containsEntry("MPTcpExtEchoAddTx", 1L);
            assertThat(o.kernel()).as("kernel counters").containsEntry("MPTcpExtEchoAdd", 1L);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            // chk_rm_nr 1 1 invert.
            assertRemoved(o.kernel(), o.ours(), 1, 1, 1, "kernel");
            assertThat(o.subflows()).as("the kernel's subflows after the flush").hasSize(1);
        });
    }

    @Test
    default void remove_flushAddresses_kernelClient() throws Exception {
        row("remove", "flush addresses", Role.KERNEL_CLIENT, "mptcp4j: `signal` endpoint on B, `flush` while data flows",
                () -> {
            Outcome o = run(mptcp4jEndpointB(Endpoint.Flag.SIGNAL), Role.KERNEL_CLIENT, 6118, () -> {
                KernelJoinMatrixTest.awaitJoined();
                host().flushEndpoints();
            });
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            assertRemoved(o.ours(), o.kernel(), 1, 1, 1, "mptcp4j");
            assertThat(o.subflows()).as("the kernel's subflows after the flush").hasSize(1);
        });
    }

    // ---- v4mapped_tests with mptcp4j's side IPv4-mapped (V4Mapped): its socket, listener and endpoints

    private static java.net.Inet6Address mapped(InetAddress v4) {
        return org.mptcp4j.mptcp.V4Mapped.of((java.net.Inet4Address) v4);
    }

    /** mptcp4j's socket or listener on ::ffff:(A), the kernel's AF_INET6 socket on ::ffff:(A). */
    private static Initial mappedA() {
        return new Initial(mapped(layout().mptcp4jAddressA()), mapped(layout().kernelAddressA()), KernelSocket.INET6_MAPPED);
    }

    @Test
    default void v4mapped_singleSubflow_mptcp4jMapped() throws Exception {
        row("v4mapped", "single subflow IPv4-mapped, mptcp4j's side mapped", Role.MPTCP4J_CLIENT,
                "mptcp4j: socket ::ffff:(A) to ::ffff:(kernel A), `subflow` endpoint ::ffff:(B); kernel: IPv4-mapped listener", () -> {
            Outcome o = run(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(mapped(layout().mptcp4jAddressB()), 1,
                    Endpoint.Flag.SUBFLOW))), ipv4(), Role.MPTCP4J_CLIENT, mappedA(), 6131, () -> {});
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            o.assertTwoSubflowsCarriedData();
            // IPv4 on the wire: the kernel sees mptcp4j's IPv4 addresses (ss prints them mapped on its AF_INET6 socket).
            assertThat(o.subflows()).extracting(f -> org.mptcp4j.mptcp.V4Mapped.unmapped(InetAddress.ofLiteral(f.peerAddress())))
                    .containsExactlyInAnyOrder(layout().mptcp4jAddressA(), layout().mptcp4jAddressB());
        });
    }

    @Test
    default void v4mapped_singleSubflow_mptcp4jMapped_kernelClient() throws Exception {
        row("v4mapped", "single subflow IPv4-mapped, mptcp4j's side mapped", Role.KERNEL_CLIENT,
                "mptcp4j: listener ::ffff:(A); kernel: IPv4-mapped socket, `subflow` endpoint ::ffff:(B)", () -> {
            kernel().addEndpoint(KernelMptcp.Endpoint.of(KernelSocket.INET6_MAPPED.literal(layout().kernelAddressB()),
                    TestbedLayout.PATH_B_KERNEL_IF, KernelMptcp.Flag.SUBFLOW));
            Outcome o = run(MptcpConfig.defaults(), ipv4(), Role.KERNEL_CLIENT, mappedA(), 6132, () -> {});
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            o.assertTwoSubflowsCarriedData();
        });
    }

    @Test
    default void v4mapped_signalAddress_mptcp4jMapped_kernelClient() throws Exception {
        // As Linux announces an endpoint added as ::ffff:a.b.c.d: in 16 bytes; the kernel joins its IPv4 address.
        row("v4mapped", "signal address IPv4-mapped, mptcp4j's side mapped", Role.KERNEL_CLIENT,
                "mptcp4j: listener ::ffff:(A), `signal` endpoint ::ffff:(B); kernel: IPv4-mapped socket", () -> {
            Outcome o = run(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(mapped(layout().mptcp4jAddressB()), 1,
                    Endpoint.Flag.SIGNAL))), ipv4(), Role.KERNEL_CLIENT, mappedA(), 6133, () -> {});
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
        });
    }

    @Test
    default void v4mapped_signalAddress_mptcp4jMapped() throws Exception {
        row("v4mapped", "signal address IPv4-mapped, mptcp4j's side mapped", Role.MPTCP4J_CLIENT,
                "mptcp4j: socket ::ffff:(A), add_addr_accepted 1; kernel: IPv4-mapped listener, `signal` endpoint ::ffff:(B)", () -> {
            kernel().addEndpoint(KernelMptcp.Endpoint.of(KernelSocket.INET6_MAPPED.literal(layout().kernelAddressB()),
                    TestbedLayout.PATH_B_KERNEL_IF, KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)), ipv4(), Role.MPTCP4J_CLIENT, mappedA(), 6134,
                    () -> {});
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
        });
    }

    // ---- fail_tests: "Infinite map"

    /**
     * mptcp4j sends MP_FAIL, the kernel answers with MP_FAIL and its infinite mapping, both fall
     * back to TCP. The case used to stall: Linux 6.18 cuts the segment that carries its infinite
     * mapping after it fell back, without room for the 28-byte DSS, and the 1528-byte packet never
     * leaves (IpFragFails); mptcp4j, requiring checksums, now advertises an MSS with that room
     * ({@code Subflow.advertisedMss}).
     */
    @Test
    default void fail_infiniteMap() throws Exception {
        row("fail", "Infinite map", Role.MPTCP4J_CLIENT,
                "both require checksums, one subflow; one byte of one kernel segment altered in the path", () -> {
            TestbedLayout l = layout();
            kernel().setChecksumEnabled(true);
            // As the MP_FAIL MP_RST case, on path A: the tenth large kernel segment gets 0x55 128
            // bytes into its TCP header (payload), its TCP checksum fixed.
            String ns = l.mptcp4jNamespace();
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "table", "ip", ERROR_TABLE);
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "chain", "ip", ERROR_TABLE, "forward",
                    "{ type filter hook forward priority 0; policy accept; }");
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "rule", "ip", ERROR_TABLE, "forward",
                    "iifname", "\"" + TestbedLayout.PATH_A_LOCAL_IF + "\"", "meta", "l4proto", "tcp", "meta", "length",
                    "gt", "1000", "numgen", "inc", "mod", "100000", "10", "@th,1024,8", "set", "0x55", "counter");
            InfiniteMapRun r = InfiniteMapRun.run(MptcpConfig.defaults().withChecksumRequired(true), 6121);
            // chk_fail_nr 1 -1 invert, chk_rst_nr 0 0: MP_FAIL from mptcp4j, answered by the
            // kernel's, both fall back to TCP, no reset.
            assertThat(r.ours()).as("mptcp4j counters; kernel's %s", r.kernel()).containsEntry("MPTcpExtDataCsumErr", 1L)
                    .containsEntry("MPTcpExtMPRstTx", 0L).containsEntry("MPTcpExtMPRstRx", 0L);
            assertThat(r.ours().get("MPTcpExtMPFailTx")).as("mptcp4j counters %s", r.ours()).isPositive();
            assertThat(r.ours().get("MPTcpExtMPFailRx")).as("mptcp4j counters %s", r.ours()).isPositive();
            assertThat(r.kernel()).as("kernel counters; mptcp4j's %s", r.ours()).containsEntry("MPTcpExtInfiniteMapTx", 1L)
                    .containsEntry("MPTcpExtMPRstTx", 0L).containsEntry("MPTcpExtMPRstRx", 0L)
                    .containsEntry("MPTcpExtDataCsumErr", 0L);
            assertThat(r.kernel().get("MPTcpExtMPFailRx")).as("kernel counters %s", r.kernel()).isPositive();
            // chk_infi_nr's receiving half: the kernel counts InfiniteMapTx as it falls back;
            // mptcp4j, whose MP_FAIL this answers, falls back on its infinite mapping (or on its
            // segments without MPTCP options, should that one be lost).
            assertThat(r.ours().get("MPTcpExtInfiniteMapRx") + r.ours().get("MPTcpExtDssFallback"))
                    .as("mptcp4j counters %s", r.ours()).isEqualTo(1);
            // The mapping acts retroactively (RFC 8684 section 3.7): the altered byte is delivered.
            assertThat(r.differingBytes()).as("bytes mptcp4j read that the kernel did not send").isEqualTo(1);
        });
    }

    /**
     * The "Infinite map" transfer: mptcp4j the client on path A alone, 2 MB each way; the kernel's
     * stream compared byte by byte with what kernel_peer.py sends (its pattern for seed 2), since
     * the altered byte reaches the application; ours checked by the kernel's SHA-256.
     */
    record InfiniteMapRun(Map<String, Long> kernel, Map<String, Long> ours, long differingBytes) {
        static final int BYTES = 2_000_000;

        static InfiniteMapRun run(MptcpConfig mptcp, int port) throws Exception {
            TestbedLayout l = layout();
            MptcpHost host = MptcpHost.start("tun-mptcp", StackConfig.defaults().withMptcp(mptcp), new SecureRng(),
                    new TunLink(KernelJoinMatrixTest.testbed.openTun(false, false), true), ipv4(), null, null);
            Map<String, Long> kernelBefore = Nstat.read(l.kernelNamespace());
            Map<String, Long> oursBefore = host.counters();
            try (org.mptcp4j.net.testbed.Capture capture = org.mptcp4j.net.testbed.Capture.start(l.kernelNamespace(),
                    "any", "tcp port " + port, 200)) {
                String size = Integer.toString(BYTES);
                try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--bind", "0.0.0.0", "--mptcp",
                        "--port", Integer.toString(port), "--duplex", "--hold", "--expect", size, "--send", size, "--seed",
                        "2", "--timeout", "30")) {
                    server.awaitListening();
                    try (MptcpSocket s = new MptcpSocket(host)) {
                        s.bind(new InetSocketAddress(l.mptcp4jAddressA(), 0));
                        s.connect(new InetSocketAddress(l.kernelAddressA(), port), 10_000);
                        CompletableFuture<Transfers.Result> sending = KernelMptcpTransfers.async(() -> {
                            Transfers.Result sent = Transfers.send(s.getOutputStream(), BYTES, 1);
                            s.shutdownOutput();
                            return sent;
                        });
                        CompletableFuture<byte[]> receiving = KernelMptcpTransfers.async(() -> readAll(s.getInputStream()));
                        Transfers.Result sent = sending.get(40, TimeUnit.SECONDS);
                        server.awaitHolding();
                        server.release();
                        byte[] received = receiving.get(120, TimeUnit.SECONDS);
                        Map<String, String> k = server.awaitResult(120);
                        assertThat(k.get("received_sha256")).as("the kernel received what mptcp4j sent").isEqualTo(sent.sha256());
                        assertThat(received).as("bytes mptcp4j read").hasSize(BYTES);
                        return new InfiniteMapRun(Nstat.delta(kernelBefore, Nstat.read(l.kernelNamespace())),
                                Nstat.delta(oursBefore, host.counters()), differing(received, kernelPattern(2)));
                    }
                }
            } catch (Exception | AssertionError e) {
                throw new AssertionError("kernel " + mptcpCounters(Nstat.delta(kernelBefore, Nstat.read(l.kernelNamespace())))
                        + ", mptcp4j " + mptcpCounters(Nstat.delta(oursBefore, host.counters())), e);
            } finally {
                host.close(Duration.ofSeconds(2));
            }
        }

        /** The MPTCP counters that are not zero, for failure messages. */
        private static Map<String, Long> mptcpCounters(Map<String, Long> all) {
            Map<String, Long> out = new java.util.TreeMap<>();
            all.forEach((k, v) -> {
                if (k.startsWith("MPTcpExt") && v != 0) {
                    out.put(k, v);
                }
            });
            return out;
        }

        private static byte[] readAll(InputStream in) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream(BYTES);
            in.transferTo(out);
            return out.toByteArray();
        }

        /** Positions where {@code received} differs from the kernel's stream, its 1 MiB block repeated. */
        private static long differing(byte[] received, byte[] block) {
            long n = 0;
            for (int i = 0; i < received.length; i++) {
                if (received[i] != block[i % block.length]) {
                    n++;
                }
            }
            return n;
        }

        /** kernel_peer.py's block for {@code seed}: SHA-256 chained from the seed's decimal digits, each digest 64 times, 1 MiB. */
        private static byte[] kernelPattern(int seed) throws Exception {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] block = new byte[1 << 20];
            byte[] h = sha.digest(Integer.toString(seed).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            int at = 0;
            while (at < block.length) {
                h = sha.digest(h);
                for (int i = 0; i < 64 && at < block.length; i++) {
                    int n = Math.min(h.length, block.length - at);
                    System.arraycopy(h, 0, block, at, n);
                    at += n;
                }
            }
            return block;
        }
    }
}
