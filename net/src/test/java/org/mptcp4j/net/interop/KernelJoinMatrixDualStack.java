package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.net.interop.KernelJoinMatrixTest.assertAddAddr;
import static org.mptcp4j.net.interop.KernelJoinMatrixTest.assertJoins;
import static org.mptcp4j.net.interop.KernelJoinMatrixTest.row;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
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
import org.mptcp4j.net.testbed.TestbedLayout;

/**
 * The groups of {@code mptcp_join.sh} that need IPv6 ({@code ipv6_tests}, {@code v4mapped_tests},
 * {@code mixed_tests}), run by {@link KernelJoinMatrixTest} on its dual-stack testbed, in its
 * style: 2 MB each way at once, SHA-256 both ways, the counters of {@code chk_join_nr},
 * {@code chk_add_nr} and {@code chk_rm_nr} on both ends. mptcp4j owns both families' addresses on
 * both paths here. The script's "IPv4-mapped" cases are about the kernel's socket
 * ({@link KernelSocket}): on the wire they are IPv4, and mptcp4j has no mapped addresses (Java
 * reads {@code ::ffff:a.b.c.d} as the IPv4 address).
 *
 * <p>A subflow never crosses families, and a connection's family decides which subflows it may
 * have (Linux {@code mptcp_pm_addr_families_match}): one that began over IPv4 (an AF_INET socket)
 * only IPv4 ones, one that began over IPv6 either family.
 */
interface KernelJoinMatrixDualStack {
    /** Starts mptcp4j with {@code mptcp} owning {@code addresses} and runs the case's transfer. */
    Outcome run(MptcpConfig mptcp, List<InetAddress> addresses, Role role, Initial initial, int port, Action whileFlowing)
            throws Exception;

    /** The running mptcp4j host of the case. */
    MptcpHost host();

    private static TestbedLayout layout() {
        return KernelJoinMatrixTest.testbed.layout();
    }

    private static KernelMptcp kernel() {
        return KernelJoinMatrixTest.kernel;
    }

    private static List<InetAddress> dualStack() {
        TestbedLayout l = layout();
        return List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB(), l.mptcp4jAddressA6(), l.mptcp4jAddressB6());
    }

    private Outcome run(MptcpConfig mptcp, Role role, Initial initial, int port) throws Exception {
        return run(mptcp, dualStack(), role, initial, port, () -> {});
    }

    private static Initial ipv6() {
        return new Initial(layout().mptcp4jAddressA6(), layout().kernelAddressA6(), KernelSocket.INET6);
    }

    private static Initial ipv4(KernelSocket socket) {
        return new Initial(layout().mptcp4jAddressA(), layout().kernelAddressA(), socket);
    }

    /** A kernel endpoint on path B's veth, at {@code address}. */
    private static KernelMptcp.Endpoint kernelEndpoint(String address, KernelMptcp.Flag flag) {
        return KernelMptcp.Endpoint.of(address, TestbedLayout.PATH_B_KERNEL_IF, flag);
    }

    private static String kernelB6() {
        return layout().kernelAddressB6().getHostAddress();
    }

    private static String kernelB() {
        return layout().kernelAddressB().getHostAddress();
    }

    private static String kernelBMapped() {
        return KernelSocket.INET6_MAPPED.literal(layout().kernelAddressB());
    }

    private static MptcpConfig endpoint(InetAddress address, Endpoint.Flag flag) {
        return MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(address, 1, flag)));
    }

    /** Every subflow the kernel saw is between addresses of one family. */
    private static void assertNoSubflowCrossesFamilies(Outcome o) {
        assertThat(o.subflows()).as("the kernel's subflows").allSatisfy(f -> assertThat(family(f.peerAddress()))
                .as("%s", f).isEqualTo(family(f.localAddress())));
    }

    /** A side's counters, read when called. */
    interface Counters {
        Map<String, Long> read() throws IOException;
    }

    /**
     * Waits (at most 2 s) until {@code side} has counted a REMOVE_ADDR more than {@code before}, as
     * mptcp_join.sh's {@code wait_rm_addr} does between the two ends' deletions. Without the wait
     * the two deletions race: in one of our runs the kernel counted no REMOVE_ADDR although
     * mptcp4j had sent one (a REMOVE_ADDR is sent once, never acknowledged, RFC 8684 section 3.4.2).
     */
    private static void awaitRmAddr(Counters side, long before) throws IOException {
        KernelJoinMatrixTest.await(() -> side.read().get("MPTcpExtRmAddr") > before);
    }

    /** The families of the kernel's subflows (by mptcp4j's address), sorted. */
    private static List<String> families(Outcome o) {
        return o.subflows().stream().map(KernelSubflow::peerAddress).map(KernelJoinMatrixDualStack::family).sorted().toList();
    }

    /** "4" or "6" for an address as {@code ss} prints it, an IPv4-mapped one ({@code ::ffff:a.b.c.d}) as "4". */
    private static String family(String address) {
        return address.contains(":") && !address.startsWith("::ffff:") ? "6" : "4";
    }

    /**
     * A case around one kernel endpoint on path B at {@code address}: a {@code subflow} endpoint
     * makes the kernel the client, a {@code signal} one makes it the announcing server with mptcp4j
     * accepting one announcement (then received and echoed once). {@code joins}: chk_join_nr's three
     * numbers.
     */
    private Outcome kernelEndpointCase(String address, KernelMptcp.Flag flag, Initial initial, int port, long joins)
            throws Exception {
        kernel().addEndpoint(kernelEndpoint(address, flag));
        boolean signal = flag == KernelMptcp.Flag.SIGNAL;
        Role role = signal ? Role.MPTCP4J_CLIENT : Role.KERNEL_CLIENT;
        Outcome o = run(signal ? MptcpConfig.defaults().withLimits(new Limits(2, 1)) : MptcpConfig.defaults(), role,
                initial, port);
        if (signal) {
            assertAddAddr(o, role, 1);
        }
        assertJoins(o, role, joins, joins, joins);
        return o;
    }

    /** {@link #kernelEndpointCase} with the endpoint on mptcp4j's side, at {@code address} (id 1); the kernel accepts 8 announcements. */
    private Outcome mptcp4jEndpointCase(InetAddress address, Endpoint.Flag flag, Initial initial, int port, long joins)
            throws Exception {
        boolean signal = flag == Endpoint.Flag.SIGNAL;
        Role role = signal ? Role.KERNEL_CLIENT : Role.MPTCP4J_CLIENT;
        Outcome o = run(endpoint(address, flag), role, initial, port);
        if (signal) {
            assertAddAddr(o, role, 1);
        }
        assertJoins(o, role, joins, joins, joins);
        if (joins == 0 && !signal) {
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPJoinSynTx", 0L);
        }
        return o;
    }

    // ---- ipv6_tests: everything over IPv6

    @Test
    default void ipv6_singleSubflow() throws Exception {
        row("ipv6", "single subflow IPv6", Role.MPTCP4J_CLIENT, "IPv6; mptcp4j: `subflow` endpoint on B", () -> {
            Outcome o = mptcp4jEndpointCase(layout().mptcp4jAddressB6(), Endpoint.Flag.SUBFLOW, ipv6(), 5801, 1);
            o.assertTwoSubflowsCarriedData();
            assertThat(o.subflows()).extracting(f -> InetAddress.ofLiteral(f.peerAddress()))
                    .containsExactlyInAnyOrder(layout().mptcp4jAddressA6(), layout().mptcp4jAddressB6());
        });
    }

    @Test
    default void ipv6_singleSubflow_kernelClient() throws Exception {
        row("ipv6", "single subflow IPv6", Role.KERNEL_CLIENT, "IPv6; kernel: `subflow` endpoint on B", () -> {
            Outcome o = kernelEndpointCase(kernelB6(), KernelMptcp.Flag.SUBFLOW, ipv6(), 5802, 1);
            o.assertTwoSubflowsCarriedData();
            assertThat(families(o)).containsExactly("6", "6");
        });
    }

    @Test
    default void ipv6_unusedSignalAddress() throws Exception {
        row("ipv6", "unused signal address IPv6", Role.MPTCP4J_CLIENT,
                "IPv6; kernel: `signal` endpoint on B; mptcp4j: add_addr_accepted 0", () -> {
            kernel().addEndpoint(kernelEndpoint(kernelB6(), KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 0)), Role.MPTCP4J_CLIENT, ipv6(), 5803);
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 0, 0, 0);
        });
    }

    @Test
    default void ipv6_unusedSignalAddress_kernelClient() throws Exception {
        row("ipv6", "unused signal address IPv6", Role.KERNEL_CLIENT,
                "IPv6; mptcp4j: `signal` endpoint on B; kernel: add_addr_accepted 0", () -> {
            kernel().setLimits(new KernelMptcp.Limits(8, 0));
            Outcome o = run(endpoint(layout().mptcp4jAddressB6(), Endpoint.Flag.SIGNAL), Role.KERNEL_CLIENT, ipv6(), 5804);
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            assertJoins(o, Role.KERNEL_CLIENT, 0, 0, 0);
        });
    }

    @Test
    default void ipv6_singleAddress() throws Exception {
        row("ipv6", "single address IPv6", Role.MPTCP4J_CLIENT,
                "IPv6; kernel: `signal` endpoint on B; mptcp4j: add_addr_accepted 1", () -> {
            Outcome o = kernelEndpointCase(kernelB6(), KernelMptcp.Flag.SIGNAL, ipv6(), 5805, 1);
            assertThat(families(o)).containsExactly("6", "6");
        });
    }

    @Test
    default void ipv6_singleAddress_kernelClient() throws Exception {
        row("ipv6", "single address IPv6", Role.KERNEL_CLIENT, "IPv6; mptcp4j: `signal` endpoint on B", () -> {
            Outcome o = mptcp4jEndpointCase(layout().mptcp4jAddressB6(), Endpoint.Flag.SIGNAL, ipv6(), 5806, 1);
            assertThat(families(o)).containsExactly("6", "6");
        });
    }

    @Test
    default void ipv6_removeSingleAddress() throws Exception {
        row("ipv6", "remove single address IPv6", Role.MPTCP4J_CLIENT,
                "IPv6; kernel: `signal` endpoint on B deleted while data flows", () -> {
            kernel().addEndpoint(kernelEndpoint(kernelB6(), KernelMptcp.Flag.SIGNAL));
            int id = kernel().endpoints().getFirst().id();
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)), dualStack(), Role.MPTCP4J_CLIENT, ipv6(),
                    5807, () -> {
                        KernelJoinMatrixTest.awaitJoined();
                        kernel().deleteEndpoint(id);
                    });
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            // chk_rm_nr 1 1 invert: the REMOVE_ADDR reached mptcp4j, the kernel closed its subflow.
            assertThat(o.kernel()).as("kernel counters; mptcp4j's %s", o.ours()).containsEntry("MPTcpExtRmAddrTx", 1L)
                    .containsEntry("MPTcpExtRmSubflow", 1L);
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtRmAddr", 1L);
            assertThat(o.subflows()).as("the kernel's subflows after the delete").hasSize(1);
        });
    }

    @Test
    default void ipv6_removeSingleAddress_kernelClient() throws Exception {
        row("ipv6", "remove single address IPv6", Role.KERNEL_CLIENT,
                "IPv6; mptcp4j: `signal` endpoint on B deleted while data flows", () -> {
            Outcome o = run(endpoint(layout().mptcp4jAddressB6(), Endpoint.Flag.SIGNAL), dualStack(), Role.KERNEL_CLIENT,
                    ipv6(), 5808, () -> {
                        KernelJoinMatrixTest.awaitJoined();
                        host().removeEndpoint(1);
                    });
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            // chk_rm_nr 1 1 invert, mptcp4j the server: the REMOVE_ADDR reached the kernel, mptcp4j closed its subflow.
            assertThat(o.ours()).as("mptcp4j counters; kernel's %s", o.kernel()).containsEntry("MPTcpExtRmAddrTx", 1L)
                    .containsEntry("MPTcpExtRmSubflow", 1L);
            assertThat(o.kernel()).as("kernel counters").containsEntry("MPTcpExtRmAddr", 1L);
            assertThat(o.subflows()).as("the kernel's subflows after the delete").hasSize(1);
        });
    }

    @Test
    default void ipv6_removeSubflowAndSignal() throws Exception {
        row("ipv6", "remove subflow and signal IPv6", Role.MPTCP4J_CLIENT,
                "IPv6; kernel: `signal` endpoint on B; mptcp4j: `subflow` endpoint on B, limits 2 1; both deleted while data flows",
                () -> {
            kernel().addEndpoint(kernelEndpoint(kernelB6(), KernelMptcp.Flag.SIGNAL));
            int id = kernel().endpoints().getFirst().id();
            Outcome o = run(endpoint(layout().mptcp4jAddressB6(), Endpoint.Flag.SUBFLOW).withLimits(new Limits(2, 1)),
                    dualStack(), Role.MPTCP4J_CLIENT, ipv6(), 5809, () -> {
                        KernelJoinMatrixTest.awaitSubflows(3);
                        long before = host().counters().get("MPTcpExtRmAddr");
                        kernel().deleteEndpoint(id);
                        awaitRmAddr(() -> host().counters(), before);
                        host().removeEndpoint(1);
                    });
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 2, 2, 2);
            // chk_rm_nr 1 1: each end withdrew its address, each received the other's REMOVE_ADDR.
            for (var side : List.of(o.kernel(), o.ours())) {
                assertThat(side).as("kernel %s, mptcp4j %s", o.kernel(), o.ours()).containsEntry("MPTcpExtRmAddrTx", 1L)
                        .containsEntry("MPTcpExtRmAddr", 1L);
            }
            assertThat(o.subflows()).as("the kernel's subflows after the deletes").hasSize(1);
        });
    }

    @Test
    default void ipv6_removeSubflowAndSignal_kernelClient() throws Exception {
        row("ipv6", "remove subflow and signal IPv6", Role.KERNEL_CLIENT,
                "IPv6; mptcp4j: `signal` endpoint on B; kernel: `subflow` endpoint on B; both deleted while data flows", () -> {
            kernel().addEndpoint(kernelEndpoint(kernelB6(), KernelMptcp.Flag.SUBFLOW));
            int id = kernel().endpoints().getFirst().id();
            Outcome o = run(endpoint(layout().mptcp4jAddressB6(), Endpoint.Flag.SIGNAL), dualStack(), Role.KERNEL_CLIENT,
                    ipv6(), 5810, () -> {
                        KernelJoinMatrixTest.awaitSubflows(3);
                        long before = kernel().counters().get("MPTcpExtRmAddr");
                        host().removeEndpoint(1);
                        awaitRmAddr(() -> kernel().counters(), before);
                        kernel().deleteEndpoint(id);
                    });
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            assertJoins(o, Role.KERNEL_CLIENT, 2, 2, 2);
            for (var side : List.of(o.kernel(), o.ours())) {
                assertThat(side).as("kernel %s, mptcp4j %s", o.kernel(), o.ours()).containsEntry("MPTcpExtRmAddrTx", 1L)
                        .containsEntry("MPTcpExtRmAddr", 1L);
            }
            assertThat(o.subflows()).as("the kernel's subflows after the deletes").hasSize(1);
        });
    }

    // ---- v4mapped_tests: the kernel's AF_INET6 socket with IPv4-mapped addresses, IPv4 on the wire

    @Test
    default void v4mapped_singleSubflow_kernelClient() throws Exception {
        row("v4mapped", "single subflow IPv4-mapped", Role.KERNEL_CLIENT,
                "kernel: IPv4-mapped socket, `subflow` endpoint ::ffff:(B)", () -> kernelEndpointCase(kernelBMapped(),
                        KernelMptcp.Flag.SUBFLOW, ipv4(KernelSocket.INET6_MAPPED), 5821, 1).assertTwoSubflowsCarriedData());
    }

    @Test
    default void v4mapped_singleSubflow() throws Exception {
        row("v4mapped", "single subflow IPv4-mapped", Role.MPTCP4J_CLIENT,
                "kernel: IPv4-mapped listener; mptcp4j: `subflow` endpoint on B", () -> mptcp4jEndpointCase(
                        layout().mptcp4jAddressB(), Endpoint.Flag.SUBFLOW, ipv4(KernelSocket.INET6_MAPPED), 5822, 1)
                        .assertTwoSubflowsCarriedData());
    }

    @Test
    default void v4mapped_signalAddress() throws Exception {
        // Linux announces an endpoint added as ::ffff:a.b.c.d in 16 bytes; mptcp4j joins its IPv4 address.
        row("v4mapped", "signal address IPv4-mapped", Role.MPTCP4J_CLIENT,
                "kernel: IPv4-mapped listener, `signal` endpoint ::ffff:(B); mptcp4j: add_addr_accepted 1",
                () -> kernelEndpointCase(kernelBMapped(), KernelMptcp.Flag.SIGNAL, ipv4(KernelSocket.INET6_MAPPED), 5823, 1));
    }

    @Test
    default void v4mapped_signalAddress_kernelClient() throws Exception {
        row("v4mapped", "signal address IPv4-mapped", Role.KERNEL_CLIENT,
                "kernel: IPv4-mapped socket; mptcp4j: `signal` endpoint on B", () -> mptcp4jEndpointCase(
                        layout().mptcp4jAddressB(), Endpoint.Flag.SIGNAL, ipv4(KernelSocket.INET6_MAPPED), 5824, 1));
    }

    @Test
    default void v4mapped_mappedSocketIpv4Endpoint_kernelClient() throws Exception {
        row("v4mapped", "single subflow v4-map-v6", Role.KERNEL_CLIENT,
                "kernel: IPv4-mapped socket, `subflow` endpoint on B (IPv4)",
                () -> kernelEndpointCase(kernelB(), KernelMptcp.Flag.SUBFLOW, ipv4(KernelSocket.INET6_MAPPED), 5825, 1));
    }

    @Test
    default void v4mapped_mappedSocketIpv4Signal() throws Exception {
        row("v4mapped", "signal address v4-map-v6", Role.MPTCP4J_CLIENT,
                "kernel: IPv4-mapped listener, `signal` endpoint on B (IPv4); mptcp4j: add_addr_accepted 1",
                () -> kernelEndpointCase(kernelB(), KernelMptcp.Flag.SIGNAL, ipv4(KernelSocket.INET6_MAPPED), 5826, 1));
    }

    @Test
    default void v4mapped_ipv4SocketMappedEndpoint_kernelClient() throws Exception {
        row("v4mapped", "single subflow v6-map-v4", Role.KERNEL_CLIENT, "kernel: IPv4 socket, `subflow` endpoint ::ffff:(B)",
                () -> kernelEndpointCase(kernelBMapped(), KernelMptcp.Flag.SUBFLOW, ipv4(KernelSocket.INET), 5827, 1));
    }

    @Test
    default void v4mapped_ipv4SocketMappedSignal() throws Exception {
        row("v4mapped", "signal address v6-map-v4", Role.MPTCP4J_CLIENT,
                "kernel: IPv4 listener, `signal` endpoint ::ffff:(B); mptcp4j: add_addr_accepted 1",
                () -> kernelEndpointCase(kernelBMapped(), KernelMptcp.Flag.SIGNAL, ipv4(KernelSocket.INET), 5828, 1));
    }

    @Test
    default void v4mapped_noJoinIpv6EndpointOnIpv4() throws Exception {
        row("v4mapped", "no JOIN with diff families v4-v6", Role.MPTCP4J_CLIENT,
                "IPv4 connection; mptcp4j: `subflow` endpoint on B (IPv6)", () -> mptcp4jEndpointCase(
                        layout().mptcp4jAddressB6(), Endpoint.Flag.SUBFLOW, ipv4(KernelSocket.INET), 5829, 0));
    }

    @Test
    default void v4mapped_noJoinIpv6EndpointOnIpv4_kernelClient() throws Exception {
        row("v4mapped", "no JOIN with diff families v4-v6", Role.KERNEL_CLIENT,
                "IPv4 connection; kernel: `subflow` endpoint on B (IPv6)", () -> assertThat(kernelEndpointCase(kernelB6(),
                        KernelMptcp.Flag.SUBFLOW, ipv4(KernelSocket.INET), 5830, 0).subflows()).hasSize(1));
    }

    @Test
    default void v4mapped_noJoinIpv6EndpointEndingInIpv4_kernelClient() throws Exception {
        // 2001:2:0:2::198.18.2.2 ends in the kernel's IPv4 B address but is IPv6 (not ::ffff:, RFC 4291 2.5.5).
        row("v4mapped", "no JOIN with diff families v4-v6-2", Role.KERNEL_CLIENT,
                "IPv4 connection; kernel: `subflow` endpoint 2001:2:0:2::(B IPv4)", () -> assertThat(kernelEndpointCase(
                        "2001:2:0:2::" + kernelB(), KernelMptcp.Flag.SUBFLOW, ipv4(KernelSocket.INET), 5833, 0).subflows())
                        .hasSize(1));
    }

    @Test
    default void v4mapped_noJoinIpv4EndpointOnIpv6() throws Exception {
        row("v4mapped", "no JOIN with diff families v6-v4", Role.MPTCP4J_CLIENT,
                "IPv6 connection; mptcp4j: `subflow` endpoint on B (IPv4)",
                () -> mptcp4jEndpointCase(layout().mptcp4jAddressB(), Endpoint.Flag.SUBFLOW, ipv6(), 5831, 0));
    }

    @Test
    default void v4mapped_noJoinIpv4EndpointOnIpv6_kernelClient() throws Exception {
        row("v4mapped", "no JOIN with diff families v6-v4", Role.KERNEL_CLIENT,
                "IPv6 connection; kernel: `subflow` endpoint on B (IPv4)", () -> assertThat(kernelEndpointCase(kernelB(),
                        KernelMptcp.Flag.SUBFLOW, ipv6(), 5832, 0).subflows()).hasSize(1));
    }

    // ---- mixed_tests: IPv4 and IPv6 subflows in one connection

    @Test
    default void mixed_ipv4ConnectionIgnoresAnnouncedIpv6() throws Exception {
        // The kernel announces its IPv6 address on the IPv4 connection too; mptcp4j echoes it and never joins it.
        row("mixed", "IPv4 sockets do not use IPv6 addresses", Role.MPTCP4J_CLIENT,
                "IPv4 connection; kernel: `signal` endpoint on B (IPv6); mptcp4j: add_addr_accepted 1", () -> assertThat(
                        kernelEndpointCase(kernelB6(), KernelMptcp.Flag.SIGNAL, ipv4(KernelSocket.INET), 5841, 0).ours())
                        .as("mptcp4j counters").containsEntry("MPTcpExtMPJoinSynTx", 0L));
    }

    @Test
    default void mixed_ipv4ConnectionIgnoresAnnouncedIpv6_kernelClient() throws Exception {
        // Announced and echoed, as the kernel announces an IPv6 endpoint on an IPv4 connection; never joined.
        row("mixed", "IPv4 sockets do not use IPv6 addresses", Role.KERNEL_CLIENT,
                "IPv4 connection; mptcp4j: `signal` endpoint on B (IPv6)", () -> assertThat(mptcp4jEndpointCase(
                        layout().mptcp4jAddressB6(), Endpoint.Flag.SIGNAL, ipv4(KernelSocket.INET), 5842, 0).subflows())
                        .as("the kernel's subflows").hasSize(1));
    }

    @Test
    default void mixed_ipv6ConnectionJoinsAnnouncedIpv4() throws Exception {
        row("mixed", "simult IPv4 and IPv6 subflows", Role.MPTCP4J_CLIENT,
                "IPv6 connection; kernel: `signal` endpoint on B (IPv4); mptcp4j: add_addr_accepted 1", () -> {
            Outcome o = kernelEndpointCase(kernelB(), KernelMptcp.Flag.SIGNAL, ipv6(), 5843, 1);
            o.assertTwoSubflowsCarriedData();
            assertThat(families(o)).as("%s", o.subflows()).containsExactly("4", "6");
        });
    }

    @Test
    default void mixed_ipv6ConnectionJoinsAnnouncedIpv4_kernelClient() throws Exception {
        row("mixed", "simult IPv4 and IPv6 subflows", Role.KERNEL_CLIENT,
                "IPv6 connection; mptcp4j: `signal` endpoint on B (IPv4)", () -> {
            Outcome o = mptcp4jEndpointCase(layout().mptcp4jAddressB(), Endpoint.Flag.SIGNAL, ipv6(), 5844, 1);
            o.assertTwoSubflowsCarriedData();
            assertThat(families(o)).as("%s", o.subflows()).containsExactly("4", "6");
        });
    }

    @Test
    default void mixed_fullmeshOneByOne() throws Exception {
        row("mixed", "simult IPv4 and IPv6 subflows, fullmesh 1x1", Role.MPTCP4J_CLIENT,
                "IPv6 connection; kernel: `signal` endpoint on B (IPv4); mptcp4j: `fullmesh` path manager owning A (IPv6) and A (IPv4), limits 4 1",
                () -> {
            TestbedLayout l = layout();
            kernel().addEndpoint(kernelEndpoint(kernelB(), KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withPathManager("fullmesh").withLimits(new Limits(4, 1)),
                    List.of(l.mptcp4jAddressA6(), l.mptcp4jAddressA()), Role.MPTCP4J_CLIENT, ipv6(), 5845, () -> {});
            // The one IPv4 pair joins; the IPv6 address never goes to the IPv4 one, nor the other way.
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            assertThat(families(o)).as("%s", o.subflows()).containsExactly("4", "6");
        });
    }

    @Test
    default void mixed_fullmeshTwoByTwo() throws Exception {
        row("mixed", "simult IPv4 and IPv6 subflows, fullmesh 2x2", Role.MPTCP4J_CLIENT,
                "IPv6 connection; kernel: `signal` endpoints on B, IPv4 and IPv6; mptcp4j: `fullmesh` path manager, A and B of both families, limits 8 2",
                () -> {
            kernel().addEndpoint(kernelEndpoint(kernelB(), KernelMptcp.Flag.SIGNAL));
            kernel().addEndpoint(kernelEndpoint(kernelB6(), KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withPathManager("fullmesh").withLimits(new Limits(8, 2)),
                    Role.MPTCP4J_CLIENT, ipv6(), 5846);
            // IPv6: A and B to the kernel's A and B, less the initial subflow (3); IPv4: A and B to
            // the kernel's announced B (2); none across families.
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 2);
            assertJoins(o, Role.MPTCP4J_CLIENT, 5, 5, 5);
            assertThat(families(o)).as("%s", o.subflows()).containsExactly("4", "4", "6", "6", "6", "6");
            assertNoSubflowCrossesFamilies(o);
        });
    }
}
