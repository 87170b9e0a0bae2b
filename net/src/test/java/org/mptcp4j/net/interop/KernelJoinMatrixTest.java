package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Action;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Outcome;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Role;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.api.MptcpResetException;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Shell;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;

/**
 * Cases of Linux's {@code tools/testing/selftests/net/mptcp/mptcp_join.sh} (6.18), group by group,
 * with the kernel as the peer on the testbed: each sets up what the script's case sets up (limits,
 * endpoints and their flags, changes while data flows, a failing link), moves 2 MB each way at once
 * (SHA-256 equal), and asserts the counters the script's checks read ({@code chk_join_nr}: the
 * server's MPJoinSynRx and MPJoinAckRx, the client's MPJoinSynAckRx; {@code chk_add_nr}: AddAddr and
 * EchoAdd; {@code chk_rm_nr}: RmAddr and RmSubflow; {@code chk_prio_nr}: MPPrioTx/Rx), on the kernel's
 * side through {@code nstat} and on mptcp4j's through its own counters. The script's two namespaces
 * become mptcp4j and the kernel, in the role each row names; the testbed has two paths where the
 * script has four, so "multiple subflows" cases use both of ours.
 *
 * <p>The groups that need IPv6 (ipv6, v4mapped, mixed) are in {@link KernelJoinMatrixDualStack}, run
 * here on the same testbed. The run writes the coverage table to {@code target/join-matrix.md}; with
 * {@code -Dmptcp4j.joinMatrixDoc=true} it also rewrites {@code docs/JOIN_MATRIX.md}.
 */
class KernelJoinMatrixTest implements KernelJoinMatrixDualStack, KernelJoinMatrixPathManager, KernelJoinMatrixReset {
    private static final int BYTES = 2_000_000;
    /** The nft table subflows_error adds in the kernel's namespace. */
    private static final String ERROR_TABLE = "mptcp4j_join_error";
    static Testbed testbed;
    static KernelMptcp kernel;
    static KernelMptcpTransfers transfers;
    private static final List<String> rows = new ArrayList<>();
    private MptcpHost host;

    @BeforeAll
    static void up() throws Exception {
        transfers = KernelMptcpTransfers.up();
        testbed = transfers.testbed();
        kernel = transfers.kernel();
    }

    @AfterAll
    static void down() throws Exception {
        KernelMptcpTransfers.down(transfers); // the kernel's namespace, and its sysctls, go with it
        transfers = null;
        writeTable();
    }

    @BeforeEach
    void kernelDefaults(TestInfo test) throws Exception {
        transfers.caseName(test.getTestMethod().orElseThrow().getName());
        transfers.kernelDefaults();
        kernel.setAllowJoinInitialAddrPort(true);
        kernel.setAddAddrTimeoutSeconds(120);
    }

    @AfterEach
    void stopHost() throws Exception {
        for (String ns : List.of(testbed.layout().kernelNamespace(), testbed.layout().mptcp4jNamespace())) {
            Shell.tryRun("ip", "netns", "exec", ns, "nft", "delete", "table", "ip", ERROR_TABLE);
        }
        if (host != null) {
            host.close(Duration.ofSeconds(2));
            host = null;
        }
        testbed.setLoss(0, 0);
    }

    // ---- subflows_tests

    @Test
    void subflows_noJoin() throws Exception {
        row("subflows", "no JOIN", Role.MPTCP4J_CLIENT, "no endpoints", () -> {
            Outcome o = run(MptcpConfig.defaults(), Role.MPTCP4J_CLIENT, 5601);
            assertJoins(o, Role.MPTCP4J_CLIENT, 0, 0, 0);
            assertThat(o.subflows()).as("the kernel's subflows").hasSize(1);
        });
    }

    @Test
    void subflows_singleSubflowLimitedByClient() throws Exception {
        row("subflows", "single subflow, limited by client", Role.MPTCP4J_CLIENT,
                "mptcp4j: limits 0 0, `subflow` endpoint on path B", () -> {
            Outcome o = run(withSubflowEndpoint().withLimits(new Limits(0, 0)), Role.MPTCP4J_CLIENT, 5602);
            assertJoins(o, Role.MPTCP4J_CLIENT, 0, 0, 0);
        });
    }

    @Test
    void subflows_singleSubflowLimitedByServer() throws Exception {
        row("subflows", "single subflow, limited by server", Role.MPTCP4J_CLIENT,
                "kernel: limits 0 0; mptcp4j: `subflow` endpoint on path B", () -> {
            kernel.setLimits(new KernelMptcp.Limits(0, 0));
            Outcome o = run(withSubflowEndpoint(), Role.MPTCP4J_CLIENT, 5603);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 0);
            assertThat(o.kernel()).as("kernel counters").containsEntry("MPTcpExtMPJoinRejected", 1L);
            assertThat(o.subflows()).as("the kernel's subflows").hasSize(1);
        });
    }

    @Test
    void subflows_singleSubflow() throws Exception {
        row("subflows", "single subflow", Role.MPTCP4J_CLIENT, "mptcp4j: `subflow` endpoint on path B", () -> {
            Outcome o = run(withSubflowEndpoint(), Role.MPTCP4J_CLIENT, 5604);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            o.assertTwoSubflowsCarriedData();
        });
    }

    @Test
    void subflows_singleSubflow_kernelClient() throws Exception {
        row("subflows", "single subflow", Role.KERNEL_CLIENT, "kernel: `subflow` endpoint on path B", () -> {
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SUBFLOW));
            Outcome o = run(MptcpConfig.defaults(), Role.KERNEL_CLIENT, 5605);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            o.assertTwoSubflowsCarriedData();
        });
    }

    @Test
    void subflows_singleSubflowLimitedByServer_kernelClient() throws Exception {
        row("subflows", "single subflow, limited by server", Role.KERNEL_CLIENT,
                "mptcp4j: limits 0 0; kernel: `subflow` endpoint on path B", () -> {
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SUBFLOW));
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(0, 0)), Role.KERNEL_CLIENT, 5606);
            // As Linux: the SYN/ACK goes out, the third ACK is refused ("administratively prohibited").
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 0);
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPJoinRejected", 1L)
                    .containsEntry("MPTcpExtMPRstTx", 1L);
        });
    }

    // ---- signal_address_tests

    @Test
    void signal_kernelAnnounces_mptcp4jJoins() throws Exception {
        row("signal_address", "signal address", Role.MPTCP4J_CLIENT,
                "kernel: `signal` endpoint on path B; mptcp4j: add_addr_accepted 1", () -> {
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)), Role.MPTCP4J_CLIENT, 5611);
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
        });
    }

    @Test
    void signal_mptcp4jAnnounces_kernelJoins() throws Exception {
        row("signal_address", "signal address", Role.KERNEL_CLIENT, "mptcp4j: `signal` endpoint on path B", () -> {
            TestbedLayout l = testbed.layout();
            Outcome o = run(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1,
                    Endpoint.Flag.SIGNAL))), Role.KERNEL_CLIENT, 5612);
            assertAddAddr(o, Role.KERNEL_CLIENT, 1);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
        });
    }

    @Test
    void signal_announcedButNotAccepted() throws Exception {
        row("signal_address", "unused signal address", Role.MPTCP4J_CLIENT,
                "kernel: `signal` endpoint; mptcp4j: add_addr_accepted 0", () -> {
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 0)), Role.MPTCP4J_CLIENT, 5613);
            // Received and echoed (the echo is owed whatever the path manager decides), never joined.
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 0, 0, 0);
        });
    }

    // ---- add_tests and remove_tests: endpoints changed while data flows

    @Test
    void add_subflowEndpointWhileRunning() throws Exception {
        row("add", "add single subflow", Role.MPTCP4J_CLIENT,
                "mptcp4j: `subflow` endpoint added once data flows", () -> {
            TestbedLayout l = testbed.layout();
            Outcome o = run(MptcpConfig.defaults(), Role.MPTCP4J_CLIENT, 5621,
                    () -> host.addEndpoint(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW)));
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
        });
    }

    @Test
    void remove_subflowEndpointWhileRunning() throws Exception {
        row("remove", "remove single subflow", Role.MPTCP4J_CLIENT,
                "mptcp4j: `subflow` endpoint deleted while data flows", () -> {
            Outcome o = run(withSubflowEndpoint(), Role.MPTCP4J_CLIENT, 5622, () -> {
                awaitJoined();
                host.removeEndpoint(1);
            });
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            // chk_rm_nr 1 1: RmAddr where the REMOVE_ADDR arrives, RmSubflow where the endpoint went.
            assertThat(o.kernel()).as("kernel counters; mptcp4j's %s", o.ours()).containsEntry("MPTcpExtRmAddr", 1L)
                    .containsEntry("MPTcpExtRmSubflow", 0L);
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtRmAddrTx", 1L)
                    .containsEntry("MPTcpExtRmSubflow", 1L).containsEntry("MPTcpExtRmAddr", 0L);
            assertThat(o.subflows()).as("the kernel's subflows after the delete").hasSize(1);
        });
    }

    @Test
    void remove_kernelSignalEndpointWhileRunning() throws Exception {
        row("remove", "remove single address", Role.MPTCP4J_CLIENT,
                "kernel: `signal` endpoint deleted while data flows", () -> {
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
            int id = kernel.endpoints().getFirst().id();
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)), Role.MPTCP4J_CLIENT, 5623, () -> {
                awaitJoined();
                kernel.deleteEndpoint(id);
            });
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            // chk_rm_nr 1 1 invert: the kernel removed its endpoint and its subflow, mptcp4j got the REMOVE_ADDR.
            assertThat(o.kernel()).as("kernel counters; mptcp4j's %s", o.ours()).containsEntry("MPTcpExtRmAddrTx", 1L)
                    .containsEntry("MPTcpExtRmSubflow", 1L);
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtRmAddr", 1L)
                    .containsEntry("MPTcpExtRmSubflow", 0L);
            assertThat(o.subflows()).as("the kernel's subflows after the delete").hasSize(1);
        });
    }

    // ---- backup_tests

    @Test
    void backup_mptcp4jMarksItsSubflowBackup() throws Exception {
        row("backup", "mpc switch to backup", Role.MPTCP4J_CLIENT,
                "mptcp4j: `subflow` endpoint set `backup` while data flows", () -> {
            Outcome o = run(withSubflowEndpoint(), Role.MPTCP4J_CLIENT, 5631, () -> {
                awaitJoined();
                host.setEndpointBackup(1, true);
            });
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            assertThat(o.ours().get("MPTcpExtMPPrioTx")).as("mptcp4j counters %s", o.ours()).isPositive();
            assertThat(o.kernel().get("MPTcpExtMPPrioRx")).as("kernel counters %s", o.kernel()).isPositive();
        });
    }

    @Test
    void backup_kernelMarksItsSubflowBackup() throws Exception {
        row("backup", "mpc switch to backup", Role.KERNEL_CLIENT,
                "kernel: `subflow` endpoint set `backup` while data flows", () -> {
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SUBFLOW));
            int id = kernel.endpoints().getFirst().id();
            Outcome o = run(MptcpConfig.defaults(), Role.KERNEL_CLIENT, 5632, () -> {
                awaitJoined();
                kernel.setEndpointBackup(id, true);
            });
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            assertThat(o.kernel().get("MPTcpExtMPPrioTx")).as("kernel counters %s", o.kernel()).isPositive();
            assertThat(o.ours().get("MPTcpExtMPPrioRx")).as("mptcp4j counters %s", o.ours()).isPositive();
        });
    }

    // ---- checksum_tests

    @Test
    void checksums_both() throws Exception {
        row("checksums", "checksum test 1 1", Role.MPTCP4J_CLIENT,
                "both require DSS checksums; mptcp4j: `subflow` endpoint", () -> {
            kernel.setChecksumEnabled(true);
            Outcome o = run(withSubflowEndpoint().withChecksumRequired(true), Role.MPTCP4J_CLIENT, 5641);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            assertThat(o.kernel()).as("kernel counters").containsEntry("MPTcpExtDataCsumErr", 0L);
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtDataCsumErr", 0L);
            assertThat(o.fromUs().dssChecksums()).as("our DSS options with a checksum").isPositive()
                    .isEqualTo(o.fromUs().dssMappings());
        });
    }

    @Test
    void checksums_kernelOnly() throws Exception {
        row("checksums", "checksum test 1 0", Role.KERNEL_CLIENT,
                "the kernel requires checksums, mptcp4j does not; kernel: `subflow` endpoint", () -> {
            kernel.setChecksumEnabled(true);
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SUBFLOW));
            Outcome o = run(MptcpConfig.defaults(), Role.KERNEL_CLIENT, 5642);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
            assertThat(o.fromUs().dssChecksums()).as("one side asks, both send (RFC 8684 3.1)").isPositive()
                    .isEqualTo(o.fromUs().dssMappings());
            assertThat(o.kernel()).as("kernel counters").containsEntry("MPTcpExtDataCsumErr", 0L);
        });
    }

    // ---- link_failure_tests

    @Test
    void linkFailure_pathBDropsEverything_dataGoesOnPathA() throws Exception {
        row("link_failure", "multiple flows, signal, link failure", Role.MPTCP4J_CLIENT,
                "mptcp4j: `subflow` endpoint; path B drops every packet once both subflows carry data", () -> {
            Outcome o = run(withSubflowEndpoint(), Role.MPTCP4J_CLIENT, 5651, () -> {
                awaitJoined();
                testbed.setLoss(0, 100);
            });
            // SHA-256 equal both ways (checked by the transfer): nothing the dead path held was lost.
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
        });
    }

    // ---- deny_join_id0_tests: the kernel server sets flag C (allow_join_initial_addr_port=0)

    @Test
    void denyJoinId0_subflowEndpoint_noJoinToTheInitialAddress() throws Exception {
        row("deny_join_id0", "single subflow allow join id0 ns2", Role.MPTCP4J_CLIENT,
                "kernel: allow_join_initial_addr_port 0; mptcp4j: `subflow` endpoint", () -> {
            kernel.setAllowJoinInitialAddrPort(false);
            transfers.expectFlagC(true);
            Outcome o = run(withSubflowEndpoint(), Role.MPTCP4J_CLIENT, 5661);
            assertJoins(o, Role.MPTCP4J_CLIENT, 0, 0, 0);
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPJoinSynTx", 0L);
        });
    }

    @Test
    void denyJoinId0_signalledAddress_stillJoined() throws Exception {
        row("deny_join_id0", "signal address allow join id0 ns2", Role.MPTCP4J_CLIENT,
                "kernel: allow_join_initial_addr_port 0, `signal` endpoint; mptcp4j: add_addr_accepted 1", () -> {
            kernel.setAllowJoinInitialAddrPort(false);
            transfers.expectFlagC(true);
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)), Role.MPTCP4J_CLIENT, 5662);
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
        });
    }

    // ---- laminar_endp_tests: announced addresses joined from laminar endpoints

    @Test
    void laminar_announcedAddressJoinedFromTheLaminarEndpoint() throws Exception {
        row("laminar_endp", "laminar endp", Role.MPTCP4J_CLIENT,
                "kernel: `signal` endpoint on B; mptcp4j: `laminar` endpoint on B, add_addr_accepted 1", () -> {
            TestbedLayout l = testbed.layout();
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)).withEndpoints(List.of(
                    Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.LAMINAR))), Role.MPTCP4J_CLIENT, 5731);
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            // A-kA and B-kB: the join to the announced address left from the laminar endpoint, not from A.
            assertThat(o.subflows()).extracting(f -> f.localAddress() + "-" + f.peerAddress()).containsExactlyInAnyOrder(
                    l.kernelAddressA().getHostAddress() + "-" + l.mptcp4jAddressA().getHostAddress(),
                    l.kernelAddressB().getHostAddress() + "-" + l.mptcp4jAddressB().getHostAddress());
        });
    }

    // ---- subflows_error_tests: a join the path refuses

    @Test
    void subflowsError_joinRefusedByTheKernelsFirewall_dataStaysOnTheInitialSubflow() throws Exception {
        row("subflows_error", "single subflow, with subflow creation error", Role.MPTCP4J_CLIENT,
                "mptcp4j: `subflow` endpoint; the kernel's input rejects TCP from mptcp4j's B address", () -> {
            String ns = testbed.layout().kernelNamespace();
            String from = testbed.layout().mptcp4jAddressB().getHostAddress();
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "table", "ip", ERROR_TABLE);
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "chain", "ip", ERROR_TABLE, "input",
                    "{ type filter hook input priority 0; policy accept; }");
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "rule", "ip", ERROR_TABLE, "input", "ip", "saddr", from,
                    "meta", "l4proto", "tcp", "reject", "with", "tcp", "reset");
            Outcome o = run(withSubflowEndpoint(), Role.MPTCP4J_CLIENT, 5671);
            // mptcp_join.sh's iptables REJECT: the join SYN never reaches the kernel's MPTCP.
            assertJoins(o, Role.MPTCP4J_CLIENT, 0, 0, 0);
            assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPJoinSynTx", 1L);
            assertThat(o.subflows()).as("the kernel's subflows").hasSize(1);
        });
    }

    // ---- fullmesh_tests: a subflow from every local address to every remote one

    @Test
    void fullmesh_twoLocalAddressesTimesTwoRemote() throws Exception {
        row("fullmesh", "fullmesh test 2x2", Role.MPTCP4J_CLIENT,
                "kernel: `signal` endpoint on B; mptcp4j: `fullmesh` path manager, `subflow` endpoint on B, limits 4 1", () -> {
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
            Outcome o = run(withSubflowEndpoint().withPathManager("fullmesh").withLimits(new Limits(4, 1)),
                    Role.MPTCP4J_CLIENT, 5681);
            // A-kA is the initial subflow; B-kA, A-kB and B-kB join.
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 3, 3, 3);
            assertThat(o.subflows()).as("the kernel's subflows").hasSize(4);
        });
    }

    // ---- fastclose_tests: abortive close (SO_LINGER 0) sends MP_FASTCLOSE

    @Test
    void fastclose_mptcp4jClientAborts() throws Exception {
        row("fastclose", "fastclose test", Role.MPTCP4J_CLIENT, "mptcp4j aborts after 1 MB (`MptcpSocket.abort`)", () -> {
            TestbedLayout l = testbed.layout();
            host = transfers.start(MptcpConfig.defaults());
            Map<String, Long> kernelBefore = kernel.counters();
            Map<String, Long> oursBefore = host.counters();
            try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--mptcp",
                    "--bind", l.kernelAddressA().getHostAddress(), "--port", "5691", "--timeout", "30")) {
                server.awaitListening();
                try (MptcpSocket s = new MptcpSocket(host)) {
                    s.connect(new java.net.InetSocketAddress(l.kernelAddressA(), 5691), 10_000);
                    s.getOutputStream().write(new byte[1_000_000]);
                    s.abort();
                }
                assertThat(server.awaitResult(30).get("error")).as("the kernel application sees a reset").isEqualTo("reset");
            }
            Map<String, Long> k = Nstat.delta(kernelBefore, kernel.counters());
            Map<String, Long> ours = Nstat.delta(oursBefore, host.counters());
            // chk_fclose_nr 1 1
            assertThat(ours).as("mptcp4j counters; kernel's %s", k).containsEntry("MPTcpExtMPFastcloseTx", 1L);
            assertThat(k).as("kernel counters; mptcp4j's %s", ours).containsEntry("MPTcpExtMPFastcloseRx", 1L);
        });
    }

    @Test
    void fastclose_kernelClientAborts() throws Exception {
        row("fastclose", "fastclose test", Role.KERNEL_CLIENT, "the kernel aborts after sending (SO_LINGER 0)", () -> {
            TestbedLayout l = testbed.layout();
            host = transfers.start(MptcpConfig.defaults());
            Map<String, Long> kernelBefore = kernel.counters();
            Map<String, Long> oursBefore = host.counters();
            try (MptcpServerSocket listener = new MptcpServerSocket(host,
                    new java.net.InetSocketAddress(l.mptcp4jAddressA(), 5692), 8);
                 KernelPeer client = KernelPeer.start(l.kernelNamespace(), "client", "--mptcp", "--abort",
                         "--connect", l.mptcp4jAddressA().getHostAddress(), "--port", "5692", "--send", "100000",
                         "--timeout", "30")) {
                listener.setSoTimeout(20_000);
                try (MptcpSocket s = listener.accept()) {
                    s.setSoTimeout(20_000);
                    java.io.InputStream in = s.getInputStream();
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
                        while (in.read(new byte[65536]) >= 0) {
                            // the kernel's MP_FASTCLOSE ends this
                        }
                    }).isInstanceOf(MptcpResetException.class);
                }
                client.awaitResult(30);
            }
            Map<String, Long> k = Nstat.delta(kernelBefore, kernel.counters());
            Map<String, Long> ours = Nstat.delta(oursBefore, host.counters());
            assertThat(k).as("kernel counters; mptcp4j's %s", ours).containsEntry("MPTcpExtMPFastcloseTx", 1L);
            assertThat(ours).as("mptcp4j counters; kernel's %s", k).containsEntry("MPTcpExtMPFastcloseRx", 1L);
        });
    }

    // ---- add_addr_ports_tests: an address announced with a port

    @Test
    void addAddrPorts_kernelSignalsAnAddressWithAPort_mptcp4jJoinsThatPort() throws Exception {
        row("add_addr_ports", "signal address with port", Role.MPTCP4J_CLIENT,
                "kernel: `signal` endpoint on B with port 10100; mptcp4j: add_addr_accepted 1", () -> {
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL), 10100);
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)), Role.MPTCP4J_CLIENT, 5701);
            assertAddAddr(o, Role.MPTCP4J_CLIENT, 1);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
            // chk_add_nr's port checks, on the kernel's side: the join came to the announced port.
            assertThat(o.kernel()).as("kernel counters").containsEntry("MPTcpExtMPJoinPortSynRx", 1L)
                    .containsEntry("MPTcpExtMPJoinPortAckRx", 1L).containsEntry("MPTcpExtMismatchPortSynRx", 0L);
            assertThat(o.subflows()).extracting(s -> s.local()).anySatisfy(a -> assertThat(a).endsWith(":10100"));
        });
    }

    // ---- add_addr_timeout_tests: the echo never arrives, the announcement is sent again

    @Test
    void addAddrTimeout_echoesDropped_mptcp4jAnnouncesAgain() throws Exception {
        row("add_addr_timeout", "signal address, ADD_ADDR timeout", Role.KERNEL_CLIENT,
                "mptcp4j: `signal` endpoint on B, ADD_ADDR timeout 200 ms; segments carrying ADD_ADDR dropped on their way to it", () -> {
            TestbedLayout l = testbed.layout();
            // mptcp_join.sh drops the echoes on their way out of the client (its bpf matches ADD_ADDR
            // as the first MPTCP option: both Linux and mptcp4j send it alone on a pure ACK); here
            // they are dropped where they arrive, on mptcp4j's side of the paths: a sender's own
            // output hook would only make it send them again.
            // Only what arrives from the paths: mptcp4j's own ADD_ADDRs enter this namespace from the TUN.
            String ns = l.mptcp4jNamespace();
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "table", "ip", ERROR_TABLE);
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "chain", "ip", ERROR_TABLE, "prerouting",
                    "{ type filter hook prerouting priority raw; policy accept; }");
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "rule", "ip", ERROR_TABLE, "prerouting", "iifname", "{",
                    "\"" + TestbedLayout.PATH_A_LOCAL_IF + "\",", "\"" + TestbedLayout.PATH_B_LOCAL_IF + "\"", "}",
                    "tcp", "option", "mptcp", "subtype", "3", "counter", "drop");
            Outcome o = run(MptcpConfig.defaults().withAddAddrTimeoutNanos(200_000_000L)
                            .withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SIGNAL))),
                    Role.KERNEL_CLIENT, 5711, () -> pause(1_500)); // the first announcement and its 3 retransmissions
            // chk_add_tx_nr 4 4, chk_add_nr 4 0: every copy received, no echo arrived. The kernel
            // echoed 3 or 4 of them in our runs: a copy arriving while its echo of the previous one
            // still waits for a segment to ride on gets no second echo.
            assertThat(o.ours()).as("mptcp4j counters; kernel's %s", o.kernel()).containsEntry("MPTcpExtAddAddrTx", 4L)
                    .containsEntry("MPTcpExtEchoAdd", 0L);
            assertThat(o.kernel()).as("kernel counters; mptcp4j's %s", o.ours()).containsEntry("MPTcpExtAddAddr", 4L);
            assertThat(o.kernel().get("MPTcpExtEchoAddTx")).as("kernel counters %s", o.kernel()).isBetween(3L, 4L);
            assertJoins(o, Role.KERNEL_CLIENT, 1, 1, 1);
        });
    }

    // ---- fail_tests: a DSS checksum fails (payload altered in the path)

    @Test
    void fail_oneSegmentAlteredOnPathB_mpFailAndTheSubflowReset() throws Exception {
        row("fail", "MP_FAIL MP_RST", Role.MPTCP4J_CLIENT,
                "both require checksums; mptcp4j: `subflow` endpoint; one byte of one kernel segment on path B altered in the path", () -> {
            TestbedLayout l = testbed.layout();
            kernel.setChecksumEnabled(true);
            // mptcp_join.sh alters a byte with tc pedit and fixes the TCP checksum; nft's payload
            // statement does the same on mptcp4j's side of path B, to the tenth large segment
            // (128 bytes into the TCP header: payload, whatever the options).
            String ns = l.mptcp4jNamespace();
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "table", "ip", ERROR_TABLE);
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "chain", "ip", ERROR_TABLE, "forward",
                    "{ type filter hook forward priority 0; policy accept; }");
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "rule", "ip", ERROR_TABLE, "forward",
                    "iifname", "\"" + TestbedLayout.PATH_B_LOCAL_IF + "\"", "meta", "l4proto", "tcp", "meta", "length", "gt", "1000",
                    "numgen", "inc", "mod", "100000", "10", "@th,1024,8", "set", "0x55", "counter");
            Outcome o = run(withSubflowEndpoint().withChecksumRequired(true), Role.MPTCP4J_CLIENT, 5721);
            // SHA-256 equal both ways (the transfer checks it): the altered mapping's data went again.
            assertThat(o.ours()).as("mptcp4j counters; kernel's %s", o.kernel()).containsEntry("MPTcpExtDataCsumErr", 1L)
                    .containsEntry("MPTcpExtMPFailTx", 1L);
            assertThat(o.kernel()).as("kernel counters; mptcp4j's %s", o.ours()).containsEntry("MPTcpExtMPFailRx", 1L);
            assertThat(o.kernel().get("MPTcpExtMPRstRx")).as("kernel counters %s", o.kernel()).isPositive();
        });
    }

    @Test
    void addAddrTimeout_echoesDropped_kernelAnnouncesAgain() throws Exception {
        row("add_addr_timeout", "signal address, ADD_ADDR timeout", Role.MPTCP4J_CLIENT,
                "kernel: `signal` endpoint on B, add_addr_timeout 1; segments carrying ADD_ADDR dropped on their way to it", () -> {
            String ns = testbed.layout().kernelNamespace();
            kernel.setAddAddrTimeoutSeconds(1);
            kernel.addEndpoint(kernelEndpointB(KernelMptcp.Flag.SIGNAL));
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "table", "ip", ERROR_TABLE);
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "chain", "ip", ERROR_TABLE, "prerouting",
                    "{ type filter hook prerouting priority raw; policy accept; }");
            Shell.run("ip", "netns", "exec", ns, "nft", "add", "rule", "ip", ERROR_TABLE, "prerouting",
                    "tcp", "option", "mptcp", "subtype", "3", "counter", "drop");
            Outcome o = run(MptcpConfig.defaults().withLimits(new Limits(2, 1)), Role.MPTCP4J_CLIENT, 5712,
                    () -> pause(4_500)); // the first announcement and its three retransmissions, a second apart
            // chk_add_tx_nr 4 4, chk_add_nr 4 0: mptcp4j received and echoed every copy (each echo on a
            // pure ACK sent at once, as Linux's mptcp_pm_send_ack), no echo arrived.
            assertThat(o.kernel()).as("kernel counters; mptcp4j's %s", o.ours()).containsEntry("MPTcpExtAddAddrTx", 4L)
                    .containsEntry("MPTcpExtEchoAdd", 0L);
            assertThat(o.ours()).as("mptcp4j counters; kernel's %s", o.kernel()).containsEntry("MPTcpExtAddAddr", 4L)
                    .containsEntry("MPTcpExtEchoAddTx", 4L);
            assertJoins(o, Role.MPTCP4J_CLIENT, 1, 1, 1);
        });
    }

    private static void pause(long millis) throws java.io.InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException();
        }
    }

    // ---- the cases' shared steps

    private static MptcpConfig withSubflowEndpoint() {
        return MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(testbed.layout().mptcp4jAddressB(), 1,
                Endpoint.Flag.SUBFLOW)));
    }

    private static KernelMptcp.Endpoint kernelEndpointB(KernelMptcp.Flag flag) {
        return KernelMptcp.Endpoint.of(testbed.layout().kernelAddressB().getHostAddress(), TestbedLayout.PATH_B_KERNEL_IF,
                flag);
    }

    private Outcome run(MptcpConfig mptcp, Role role, int port) throws Exception {
        return run(mptcp, role, port, () -> {});
    }

    private Outcome run(MptcpConfig mptcp, Role role, int port, Action whileFlowing) throws Exception {
        host = transfers.start(mptcp);
        return transfers.transfer(host, role, port, BYTES, 0, whileFlowing);
    }

    @Override
    public Outcome run(MptcpConfig mptcp, List<java.net.InetAddress> addresses, Role role, KernelMptcpTransfers.Initial initial,
            int port, Action whileFlowing) throws Exception {
        host = transfers.start(mptcp, addresses);
        return transfers.transfer(host, role, initial, port, BYTES, 0, whileFlowing);
    }

    @Override
    public MptcpHost host() {
        return host;
    }

    /** Waits (at most 2 s) until the kernel sees a second subflow, so that a change lands on a joined connection. */
    static void awaitJoined() throws IOException {
        awaitSubflows(2);
    }

    /** Waits (at most 2 s) until the kernel sees {@code n} subflows. */
    static void awaitSubflows(int n) throws IOException {
        await(() -> kernel.subflows().size() >= n);
    }

    /** A condition read from the testbed. */
    interface Condition {
        boolean holds() throws IOException;
    }

    /** Waits (at most 2 s) until {@code c} holds. */
    static void await(Condition c) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (!c.holds() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }
    }

    /**
     * {@code chk_join_nr syn synack ack}: MP_JOIN SYNs the server received, SYN/ACKs the client
     * received, third ACKs the server received; the other end's transmit counters agree.
     */
    static void assertJoins(Outcome o, Role role, long syn, long synAck, long ack) {
        Map<String, Long> server = role == Role.MPTCP4J_CLIENT ? o.kernel() : o.ours();
        Map<String, Long> client = role == Role.MPTCP4J_CLIENT ? o.ours() : o.kernel();
        String who = role == Role.MPTCP4J_CLIENT ? "kernel server %s, mptcp4j client %s" : "mptcp4j server %s, kernel client %s";
        assertThat(server.getOrDefault("MPTcpExtMPJoinSynRx", 0L)).as("join SYN rx; " + who, server, client).isEqualTo(syn);
        assertThat(client.getOrDefault("MPTcpExtMPJoinSynAckRx", 0L)).as("join SYN/ACK rx; " + who, server, client)
                .isEqualTo(synAck);
        assertThat(server.getOrDefault("MPTcpExtMPJoinAckRx", 0L)).as("join ACK rx; " + who, server, client).isEqualTo(ack);
        for (Map<String, Long> side : List.of(server, client)) {
            assertThat(side).as("HMAC failures; " + who, server, client).containsEntry("MPTcpExtMPJoinSynAckHMacFailure", 0L)
                    .containsEntry("MPTcpExtMPJoinAckHMacFailure", 0L);
        }
    }

    /** {@code chk_add_nr n n}: ADD_ADDRs the peer received from the announcing server, and their echoes. */
    static void assertAddAddr(Outcome o, Role role, long n) {
        Map<String, Long> announcer = role == Role.MPTCP4J_CLIENT ? o.kernel() : o.ours();
        Map<String, Long> receiver = role == Role.MPTCP4J_CLIENT ? o.ours() : o.kernel();
        assertThat(receiver).as("ADD_ADDR receiver; announcer %s", announcer).containsEntry("MPTcpExtAddAddr", n)
                .containsEntry("MPTcpExtEchoAddTx", n).containsEntry("MPTcpExtAddAddrDrop", 0L);
        assertThat(announcer).as("ADD_ADDR announcer; receiver %s", receiver).containsEntry("MPTcpExtAddAddrTx", n)
                .containsEntry("MPTcpExtEchoAdd", n);
    }

    // ---- the coverage table

    interface Body {
        void run() throws Exception;
    }

    /** Runs one case and records its row, passed or failed. */
    static void row(String group, String scriptCase, Role role, String setup, Body body) throws Exception {
        String mptcp4j = role == Role.MPTCP4J_CLIENT ? "client" : "server";
        try {
            body.run();
            rows.add(String.format("| %s | %s | %s | %s | pass |", group, scriptCase, mptcp4j, setup));
        } catch (Exception | AssertionError e) {
            rows.add(String.format("| %s | %s | %s | %s | **fail** |", group, scriptCase, mptcp4j, setup));
            throw e;
        }
    }

    /** Groups of mptcp_join.sh this class has no case for yet, and why. */
    private static final List<String> NOT_COVERED = List.of();

    private static void writeTable() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# mptcp_join.sh cases against the Linux kernel\n\n");
        md.append("Written by `KernelJoinMatrixTest` (module `net`) from its last run; regenerate with\n");
        md.append("`./mvnw -pl net -am verify -Dtest=KernelJoinMatrixTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dmptcp4j.joinMatrixDoc=true`.\n");
        md.append("Each case moves 2 MB each way at once between mptcp4j (TUN) and the kernel on the testbed, checks\n");
        md.append("SHA-256 both ways, and asserts the counters the script's checks read, on both ends.\n");
        md.append("The same cases with mptcp4j at both ends in the simulator, no kernel needed:"
                + " [JOIN_MATRIX_SIM.md](JOIN_MATRIX_SIM.md).\n\n");
        md.append("| group | mptcp_join.sh case | mptcp4j is | set-up | result |\n| --- | --- | --- | --- | --- |\n");
        rows.stream().sorted().forEach(r -> md.append(r).append('\n'));
        NOT_COVERED.forEach(r -> md.append(r).append('\n'));
        Path target = Path.of("target", "join-matrix.md");
        Files.createDirectories(target.getParent());
        Files.writeString(target, md, StandardCharsets.UTF_8);
        if (Boolean.getBoolean("mptcp4j.joinMatrixDoc")) {
            Files.writeString(Path.of("..", "docs", "JOIN_MATRIX.md"), md, StandardCharsets.UTF_8);
        }
    }
}
