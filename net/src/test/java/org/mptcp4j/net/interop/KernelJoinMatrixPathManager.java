package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.net.interop.KernelJoinMatrixTest.assertAddAddr;
import static org.mptcp4j.net.interop.KernelJoinMatrixTest.assertJoins;
import static org.mptcp4j.net.interop.KernelJoinMatrixTest.row;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Action;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Initial;
import org.mptcp4j.net.interop.KernelMptcpTransfers.KernelSocket;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Outcome;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Role;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelSubflow;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Shell;
import org.mptcp4j.net.testbed.TestbedLayout;

/**
 * The path-manager settings of {@code mptcp_join.sh} on mptcp4j's side, run by
 * {@link KernelJoinMatrixTest} on its testbed in its style (2 MB each way at once, SHA-256 both
 * ways, the counters of {@code chk_join_nr} and {@code chk_add_nr} on both ends): the
 * {@code fullmesh} endpoint flag ({@code fullmesh_tests}, mptcp4j the client), an address
 * announced with a port ({@code add_addr_ports_tests}, mptcp4j the server) and flag C set by
 * mptcp4j ({@code deny_join_id0_tests}, {@code allow_join_initial_addr_port} 0 on mptcp4j's side).
 *
 * <p>The script's fullmesh cases use four addresses per host where the testbed has two paths: the
 * third address mptcp4j needs for "1x2" is one more on path A ({@link #addressC}).
 */
interface KernelJoinMatrixPathManager {
    /** Starts mptcp4j with {@code mptcp} owning {@code addresses} and runs the case's transfer. */
    Outcome run(MptcpConfig mptcp, List<InetAddress> addresses, Role role, Initial initial, int port, Action whileFlowing)
            throws Exception;

    /** The running mptcp4j host of the case. */
    MptcpHost host();

    /** The port mptcp4j announces with its B address in the add_addr_ports case. */
    int ANNOUNCED_PORT = 10100;

    private static TestbedLayout layout() {
        return KernelJoinMatrixTest.testbed.layout();
    }

    private static KernelMptcp kernel() {
        return KernelJoinMatrixTest.kernel;
    }

    private static Initial initialA() {
        return new Initial(layout().mptcp4jAddressA(), layout().kernelAddressA(), KernelSocket.INET);
    }

    private static List<InetAddress> ab() {
        return List.of(layout().mptcp4jAddressA(), layout().mptcp4jAddressB());
    }

    private static KernelMptcp.Endpoint kernelEndpointB(KernelMptcp.Flag flag) {
        return KernelMptcp.Endpoint.of(layout().kernelAddressB().getHostAddress(), TestbedLayout.PATH_B_KERNEL_IF, flag);
    }

    /**
     * A third address for mptcp4j, on path A ({@code 198.18.1.41}), routed like its A address: to
     * the TUN and by path A's table on mptcp4j's side, back over path A on the kernel's. Added once
     * per testbed (a second add finds it there), and gone with the testbed's namespaces.
     */
    private static InetAddress addressC() throws IOException {
        TestbedLayout l = layout();
        String c = "198.18.1.41";
        if (!Shell.run("ip", "-n", l.mptcp4jNamespace(), "route", "show", c).contains(c)) {
            Shell.run("ip", "-n", l.mptcp4jNamespace(), "route", "add", c + "/32", "dev", TestbedLayout.TUN);
            Shell.run("ip", "-n", l.mptcp4jNamespace(), "rule", "add", "from", c, "table", "101");
            Shell.run("ip", "-n", l.kernelNamespace(), "route", "add", c + "/32", "via", l.routerAddressA().getHostAddress(),
                    "dev", TestbedLayout.PATH_A_KERNEL_IF);
        }
        return InetAddress.ofLiteral(c);
    }

    private static Endpoint subflowFullmesh(InetAddress a, int id) {
        return new Endpoint(a, id, 0, Set.of(Endpoint.Flag.SUBFLOW, Endpoint.Flag.FULLMESH));
    }

    /** The kernel's subflows as "mptcp4j address-kernel address", for comparing pairs. */
    private static List<String> pairs(Outcome o) {
        return o.subflows().stream().map(f -> f.peerAddress() + "-" + f.localAddress()).toList();
    }

    private static String pair(InetAddress ours, InetAddress kernels) {
        return ours.getHostAddress() + "-" + kernels.getHostAddress();
    }

    // ---- fullmesh_tests: subflow fullmesh endpoints on mptcp4j's side, the kernel signalling

    /**
     * "fullmesh test 1xN": the kernel announces its B address; mptcp4j accepts one announcement and
     * joins it from its initial address (no fullmesh endpoint yet), then, once that join is up,
     * {@code subflow fullmesh} endpoints are added on {@code fullmesh}: each joins both kernel
     * addresses, within mptcp4j's subflow limit. The kernel's limits are the script's.
     */
    private Outcome fullmeshAdded(List<InetAddress> fullmesh, int subflows, KernelMptcp.Limits kernelLimits, int port)
            throws Exception {
        kernel().setLimits(kernelLimits);
        kernel().addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
        List<InetAddress> addresses = new java.util.ArrayList<>(List.of(layout().mptcp4jAddressA()));
        addresses.addAll(fullmesh);
        return run(MptcpConfig.defaults().withLimits(new Limits(subflows, 1)), addresses, Role.MPTCP4J_CLIENT,
                initialA(), port, () -> {
                    KernelJoinMatrixTest.awaitSubflows(2);
                    int id = 1;
                    for (InetAddress a : fullmesh) {
                        host().addEndpoint(subflowFullmesh(a, id++));
                    }
                    KernelJoinMatrixTest.awaitSubflows(subflows + 1); // the joins are up before the DATA_FIN
                });
    }

    @Test
    default void fullmesh_oneFullmeshEndpoint() throws Exception {
        row("fullmesh", "fullmesh test 1x1", Role.MPTCP4J_CLIENT, "kernel: `signal` endpoint on B, limits 3 1;"
                + " mptcp4j: limits 3 1, `subflow fullmesh` endpoint on B added while data flows", () -> {
            TestbedLayout l = layout();
            Outcome o = fullmeshAdded(List.of(l.mptcp4jAddressB()), 3, new KernelMptcp.Limits(3, 1), 5901);
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 3, 3, 3);
            assertThat(pairs(o)).containsExactlyInAnyOrder(pair(l.mptcp4jAddressA(), l.kernelAddressA()),
                    pair(l.mptcp4jAddressA(), l.kernelAddressB()), pair(l.mptcp4jAddressB(), l.kernelAddressA()),
                    pair(l.mptcp4jAddressB(), l.kernelAddressB()));
        });
    }

    @Test
    default void fullmesh_twoFullmeshEndpoints() throws Exception {
        row("fullmesh", "fullmesh test 1x2", Role.MPTCP4J_CLIENT, "kernel: `signal` endpoint on B, limits 5 2;"
                + " mptcp4j: limits 5 1, `subflow fullmesh` endpoints on B and on a second path-A address added while"
                + " data flows", () -> {
            TestbedLayout l = layout();
            InetAddress c = addressC();
            Outcome o = fullmeshAdded(List.of(l.mptcp4jAddressB(), c), 5, new KernelMptcp.Limits(5, 2), 5902);
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 5, 5, 5);
            assertThat(pairs(o)).hasSize(6).contains(pair(c, l.kernelAddressA()), pair(c, l.kernelAddressB()));
        });
    }

    @Test
    default void fullmesh_twoFullmeshEndpointsLimited() throws Exception {
        row("fullmesh", "fullmesh test 1x2, limited", Role.MPTCP4J_CLIENT, "kernel: `signal` endpoint on B, limits"
                + " 4 2; mptcp4j: limits 4 1, `subflow fullmesh` endpoints on B and on a second path-A address added"
                + " while data flows", () -> {
            TestbedLayout l = layout();
            InetAddress c = addressC();
            Outcome o = fullmeshAdded(List.of(l.mptcp4jAddressB(), c), 4, new KernelMptcp.Limits(4, 2), 5903);
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 4, 4, 4);
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPJoinSynTx", 4L);
            assertThat(pairs(o)).hasSize(5).doesNotContain(pair(c, l.kernelAddressB()));
        });
    }

    // ---- add_addr_ports_tests: mptcp4j announces an address with a port

    @Test
    default void addAddrPorts_mptcp4jSignalsAnAddressWithAPort_kernelJoinsThatPort() throws Exception {
        row("add_addr_ports", "signal address with port", Role.KERNEL_CLIENT,
                "mptcp4j: `signal` endpoint on B with port 10100; then an MP_CAPABLE and a plain SYN to that port", () -> {
            TestbedLayout l = layout();
            Outcome o = run(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.withPort(l.mptcp4jAddressB(), 1,
                    ANNOUNCED_PORT, Endpoint.Flag.SIGNAL))), ab(), Role.KERNEL_CLIENT, initialA(), 5911, () -> {});
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            // chk_add_nr 1 1 1: PortAdd where the announcement arrived, MPJoinPortSynAckRx on the
            // joining side, MPJoinPortSynRx and MPJoinPortAckRx where the join arrived.
            assertThat(o.kernel()).as("kernel counters; mptcp4j's %s", o.ours()).containsEntry("MPTcpExtPortAdd", 1L)
                    .containsEntry("MPTcpExtMPJoinPortSynAckRx", 1L);
            assertThat(o.ours()).as("mptcp4j counters; kernel's %s", o.kernel()).containsEntry("MPTcpExtMPJoinPortSynRx", 1L)
                    .containsEntry("MPTcpExtMPJoinPortAckRx", 1L).containsEntry("MPTcpExtMismatchPortSynRx", 0L)
                    .containsEntry("MPTcpExtMismatchPortAckRx", 0L)
                    .containsEntry("MPTcpExtPortAdd", 1L); // the kernel's echo carries the port too
            assertThat(o.subflows()).extracting(KernelSubflow::peer).anySatisfy(p -> assertThat(p).endsWith(":" + ANNOUNCED_PORT));

            // The port takes joins only: an MPTCP and a TCP connection to it are refused (RST), as
            // Linux's listener for a port-based endpoint refuses them.
            Map<String, Long> before = host().counters();
            for (String proto : List.of("262", "0")) {
                Shell.Result r = Shell.tryRun("ip", "netns", "exec", l.kernelNamespace(), "python3", "-c",
                        "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_STREAM, " + proto + ")\n"
                                + "s.settimeout(5)\ntry:\n    s.connect(('" + l.mptcp4jAddressB().getHostAddress() + "', "
                                + ANNOUNCED_PORT + "))\n    print('connected')\nexcept OSError as e:\n"
                                + "    print(type(e).__name__)\n");
                assertThat(r.output().strip()).as("protocol %s", proto).isEqualTo("ConnectionRefusedError");
            }
            Map<String, Long> refused = Nstat.delta(before, host().counters());
            assertThat(refused).as("mptcp4j counters").containsEntry("MPTcpExtMPCapableEndpAttempt", 2L)
                    .containsEntry("MPTcpExtMPCapableSYNRX", 1L);
        });
    }

    // ---- deny_join_id0_tests: mptcp4j sets flag C (allow_join_initial_addr_port 0)

    private static MptcpConfig denying() {
        return MptcpConfig.defaults().withAllowJoinInitialAddrPort(false);
    }

    @Test
    default void denyJoinId0_mptcp4jServerDenies_kernelSubflowEndpointDoesNotJoin() throws Exception {
        row("deny_join_id0", "single subflow allow join id0 ns2", Role.KERNEL_CLIENT,
                "mptcp4j: allow_join_initial_addr_port 0, limits 1 1; kernel: `subflow` endpoint on B, limits 1 1", () -> {
            KernelJoinMatrixTest.transfers.expectFlagC(true);
            kernel().setLimits(new KernelMptcp.Limits(1, 1));
            kernel().addEndpoint(kernelEndpointB(KernelMptcp.Flag.SUBFLOW));
            Outcome o = run(denying().withLimits(new Limits(1, 1)), ab(), Role.KERNEL_CLIENT, initialA(), 5921, () -> {});
            assertJoins(o, Role.KERNEL_CLIENT, 0, 0, 0);
            assertThat(o.kernel()).as("kernel counters").containsEntry("MPTcpExtMPJoinSynTx", 0L);
            assertThat(o.subflows()).as("the kernel's subflows").hasSize(1);
        });
    }

    @Test
    default void denyJoinId0_mptcp4jServerDenies_signalledAddressStillJoined() throws Exception {
        row("deny_join_id0", "signal address allow join id0 ns2", Role.KERNEL_CLIENT,
                "mptcp4j: allow_join_initial_addr_port 0, `signal` endpoint on B, limits 1 1; kernel: limits 1 1", () -> {
            KernelJoinMatrixTest.transfers.expectFlagC(true);
            kernel().setLimits(new KernelMptcp.Limits(1, 1));
            Outcome o = run(denying().withLimits(new Limits(1, 1)).withEndpoints(List.of(Endpoint.of(
                    layout().mptcp4jAddressB(), 1, Endpoint.Flag.SIGNAL))), ab(), Role.KERNEL_CLIENT, initialA(), 5922,
                    () -> {});
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
        });
    }

    @Test
    default void denyJoinId0_mptcp4jServerDenies_subflowAndAddress() throws Exception {
        row("deny_join_id0", "subflow and address allow join id0 2", Role.KERNEL_CLIENT,
                "mptcp4j: allow_join_initial_addr_port 0, `signal` endpoint on B, limits 2 2; kernel: `subflow`"
                        + " endpoint on B, limits 2 2", () -> {
            KernelJoinMatrixTest.transfers.expectFlagC(true);
            kernel().setLimits(new KernelMptcp.Limits(2, 2));
            kernel().addEndpoint(kernelEndpointB(KernelMptcp.Flag.SUBFLOW));
            Outcome o = run(denying().withLimits(new Limits(2, 2)).withEndpoints(List.of(Endpoint.of(
                    layout().mptcp4jAddressB(), 1, Endpoint.Flag.SIGNAL))), ab(), Role.KERNEL_CLIENT, initialA(), 5923,
                    () -> {});
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            // Only the announced address is joined: none to mptcp4j's initial address and port.
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            assertThat(o.subflows()).extracting(KernelSubflow::peerAddress)
                    .containsOnlyOnce(layout().mptcp4jAddressA().getHostAddress());
        });
    }

    @Test
    default void denyJoinId0_mptcp4jClientDenies_itsOwnJoinsUnaffected() throws Exception {
        row("deny_join_id0", "single subflow allow join id0 ns1", Role.MPTCP4J_CLIENT,
                "mptcp4j: allow_join_initial_addr_port 0, `subflow` endpoint on B, limits 1 1; kernel: limits 1 1", () -> {
            KernelJoinMatrixTest.transfers.expectFlagC(true);
            kernel().setLimits(new KernelMptcp.Limits(1, 1));
            Outcome o = run(denying().withLimits(new Limits(1, 1)).withEndpoints(List.of(Endpoint.of(
                    layout().mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW))), ab(), Role.MPTCP4J_CLIENT, initialA(), 5924,
                    () -> {});
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            o.assertTwoSubflowsCarriedData();
        });
    }

    // ---- laminar_endp_tests: mptcp4j announces, the kernel joins from its laminar endpoint

    /** The nft table KernelJoinMatrixTest deletes after every case, in both namespaces. */
    String ERROR_TABLE = "mptcp4j_join_error";

    /**
     * As the script's {@code reset_with_tcp_filter ns1 10.0.2.2 REJECT}: mptcp4j's side answers TCP
     * from the kernel's B address (the source routing picks towards mptcp4j's B address) with a
     * RST, so that only a join from another source gets through.
     */
    private static void rejectTcpFromKernelB() throws IOException {
        String ns = layout().mptcp4jNamespace();
        Shell.run("ip", "netns", "exec", ns, "nft", "add", "table", "ip", ERROR_TABLE);
        Shell.run("ip", "netns", "exec", ns, "nft", "add", "chain", "ip", ERROR_TABLE, "forward",
                "{ type filter hook forward priority 0; policy accept; }");
        Shell.run("ip", "netns", "exec", ns, "nft", "add", "rule", "ip", ERROR_TABLE, "forward", "ip", "saddr",
                layout().kernelAddressB().getHostAddress(), "meta", "l4proto", "tcp", "reject", "with", "tcp", "reset");
    }

    /** A second kernel address on path B ({@code 198.18.2.12}), which routing never picks as a source. */
    String KERNEL_B2 = "198.18.2.12";

    /**
     * "with a laminar endpoint" / "without a laminar endpoint": mptcp4j (the server, limits 2 0)
     * announces its B address; the kernel client (limits 2 2) joins it from a {@code laminar}
     * endpoint on {@link #KERNEL_B2} if it has one, else from the source routing picks, which
     * mptcp4j's side rejects.
     */
    private Outcome laminarCase(boolean laminar, int port) throws Exception {
        TestbedLayout l = layout();
        kernel().setLimits(new KernelMptcp.Limits(2, 2));
        Shell.run("ip", "-n", l.kernelNamespace(), "addr", "add", KERNEL_B2 + "/32", "dev", TestbedLayout.PATH_B_KERNEL_IF);
        try {
            if (laminar) {
                kernel().addEndpoint(KernelMptcp.Endpoint.of(KERNEL_B2, TestbedLayout.PATH_B_KERNEL_IF,
                        KernelMptcp.Flag.LAMINAR));
                assertThat(kernel().endpoints()).as("ip mptcp endpoint show").singleElement()
                        .satisfies(e -> assertThat(e.flags()).containsExactly(KernelMptcp.Flag.LAMINAR));
            }
            rejectTcpFromKernelB();
            Outcome o = run(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1,
                    Endpoint.Flag.SIGNAL))), ab(), Role.KERNEL_CLIENT, initialA(), port, () -> {});
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            return o;
        } finally {
            Shell.tryRun("ip", "-n", l.kernelNamespace(), "addr", "del", KERNEL_B2 + "/32", "dev",
                    TestbedLayout.PATH_B_KERNEL_IF);
        }
    }

    @Test
    default void laminar_mptcp4jAnnounces_kernelJoinsFromItsLaminarEndpoint() throws Exception {
        row("laminar_endp", "with a laminar endpoint", Role.KERNEL_CLIENT, "mptcp4j: `signal` endpoint on B;"
                + " kernel: `laminar` endpoint on a second B address (added through generic netlink), limits 2 2;"
                + " TCP from the kernel's first B address rejected", () -> {
            Outcome o = laminarCase(true, 5931);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            assertThat(pairs(o)).contains(pair(layout().mptcp4jAddressB(), InetAddress.ofLiteral(KERNEL_B2)));
        });
    }

    @Test
    default void laminar_mptcp4jAnnounces_kernelWithoutLaminarEndpointJoinsFromTheRoutedSource() throws Exception {
        row("laminar_endp", "without a laminar endpoint", Role.KERNEL_CLIENT, "mptcp4j: `signal` endpoint on B;"
                + " kernel: limits 2 2; TCP from the kernel's B address (routing's pick) rejected", () -> {
            Outcome o = laminarCase(false, 5932);
            // join_syn_tx=1 chk_join_nr 0 0 0: the join left from the routed source and was refused on the way.
            assertJoins(o, Role.KERNEL_CLIENT, 0, 0, 0);
            assertThat(o.kernel()).as("kernel counters").containsEntry("MPTcpExtMPJoinSynTx", 1L);
        });
    }
}
