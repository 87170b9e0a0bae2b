package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
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
import org.mptcp4j.mptcp.PmEvent;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Action;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Outcome;
import org.mptcp4j.net.interop.KernelMptcpTransfers.Role;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.testbed.Capture;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelSubflow;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.stack.StackConfig;

/**
 * MPTCP between mptcp4j on the testbed's TUN and the Linux kernel's MPTCP, the kernel as the judge:
 * each role (mptcp4j client to a kernel server, kernel client to an mptcp4j server), joins from
 * {@code subflow} endpoints and to addresses announced with ADD_ADDR by either side, DSS checksums
 * required by either side, fallback to TCP when either side has MPTCP off, and loss on one path
 * while data flows. Every transfer goes both ways at once and is checked by SHA-256, by the
 * counters of both ends (the kernel's through {@code nstat}), by the kernel's live subflows
 * ({@code ss}), and by tshark's MPTCP analysis of a capture on the kernel's side.
 */
class TunKernelMptcpInteropTest {
    /** What the issue asks of the two main cases: 100 MB each way at once. */
    private static final int LARGE = 100_000_000;
    private static final int SMALL = 8_000_000;
    private static Testbed testbed;
    private static KernelMptcp kernel;
    private static KernelMptcpTransfers transfers;
    private MptcpHost host;

    @BeforeAll
    static void up() throws Exception {
        transfers = KernelMptcpTransfers.up();
        testbed = transfers.testbed();
        kernel = transfers.kernel();
    }

    @AfterAll
    static void down() throws Exception {
        KernelMptcpTransfers.down(transfers);
        transfers = null;
    }

    @BeforeEach
    void kernelDefaults(TestInfo test) throws Exception {
        transfers.caseName(test.getTestMethod().orElseThrow().getName());
        transfers.kernelDefaults();
    }

    @AfterEach
    void stopHost() throws Exception {
        if (host != null) {
            host.close(Duration.ofSeconds(2));
            host = null;
        }
        testbed.setLoss(0, 0);
    }

    // ---- two subflows from endpoints, 100 MB each way at once

    @Test
    void mptcp4jClient_kernelServer_joinFromSubflowEndpoint_100MBEachWay() throws Exception {
        TestbedLayout l = testbed.layout();
        start(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW))));
        Outcome o = transfer(Role.MPTCP4J_CLIENT, 5501, LARGE, Capture.HEADERS_SNAPLEN);

        assertThat(o.kernel()).as("kernel counters; mptcp4j's: %s", o.ours()).containsEntry("MPTcpExtMPCapableSYNRX", 1L)
                .containsEntry("MPTcpExtMPCapableACKRX", 1L).containsEntry("MPTcpExtMPJoinSynRx", 1L)
                .containsEntry("MPTcpExtMPJoinAckRx", 1L);
        assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPCapableSYNTX", 1L)
                .containsEntry("MPTcpExtMPCapableSYNACKRX", 1L).containsEntry("MPTcpExtMPJoinSynTx", 1L)
                .containsEntry("MPTcpExtMPJoinSynAckRx", 1L);
        o.assertTwoSubflowsCarriedData();
        assertThat(o.analysis().dssChecksums()).isZero();
    }

    @Test
    void kernelClient_mptcp4jServer_joinFromKernelSubflowEndpoint_100MBEachWay() throws Exception {
        TestbedLayout l = testbed.layout();
        kernel.addEndpoint(KernelMptcp.Endpoint.of(l.kernelAddressB().getHostAddress(), TestbedLayout.PATH_B_KERNEL_IF,
                KernelMptcp.Flag.SUBFLOW));
        start(MptcpConfig.defaults());
        Outcome o = transfer(Role.KERNEL_CLIENT, 5502, LARGE, Capture.HEADERS_SNAPLEN);

        assertThat(o.kernel()).as("kernel counters; mptcp4j's: %s", o.ours()).containsEntry("MPTcpExtMPCapableSYNTX", 1L)
                .containsEntry("MPTcpExtMPCapableSYNACKRX", 1L).containsEntry("MPTcpExtMPJoinSynTx", 1L)
                .containsEntry("MPTcpExtMPJoinSynAckRx", 1L).containsEntry("MPTcpExtMPJoinSynAckHMacFailure", 0L);
        assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPCapableSYNRX", 1L)
                .containsEntry("MPTcpExtMPCapableACKRX", 1L).containsEntry("MPTcpExtMPJoinSynRx", 1L)
                .containsEntry("MPTcpExtMPJoinAckRx", 1L);
        o.assertTwoSubflowsCarriedData();
    }

    // ---- joins to announced addresses (ADD_ADDR with HMAC, echoed)

    @Test
    void kernelServerAnnouncesSignalEndpoint_mptcp4jJoinsIt() throws Exception {
        TestbedLayout l = testbed.layout();
        kernel.addEndpoint(KernelMptcp.Endpoint.of(l.kernelAddressB().getHostAddress(), TestbedLayout.PATH_B_KERNEL_IF,
                KernelMptcp.Flag.SIGNAL));
        start(MptcpConfig.defaults().withLimits(new Limits(2, 1)));
        Outcome o = transfer(Role.MPTCP4J_CLIENT, 5503, SMALL, 0);

        assertThat(o.kernel()).as("kernel counters; mptcp4j's: %s", o.ours()).containsEntry("MPTcpExtAddAddrTx", 1L)
                .containsEntry("MPTcpExtEchoAdd", 1L).containsEntry("MPTcpExtMPJoinSynRx", 1L)
                .containsEntry("MPTcpExtMPJoinAckRx", 1L);
        assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtAddAddr", 1L)
                .containsEntry("MPTcpExtEchoAddTx", 1L).containsEntry("MPTcpExtMPJoinSynTx", 1L)
                .containsEntry("MPTcpExtAddAddrDrop", 0L);
        o.assertTwoSubflowsCarriedData();
        assertThat(o.subflows()).extracting(KernelSubflow::localAddress)
                .containsExactlyInAnyOrder(l.kernelAddressA().getHostAddress(), l.kernelAddressB().getHostAddress());
    }

    @Test
    void mptcp4jServerAnnouncesSignalEndpoint_kernelJoinsIt() throws Exception {
        TestbedLayout l = testbed.layout();
        start(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SIGNAL))));
        Outcome o = transfer(Role.KERNEL_CLIENT, 5504, SMALL, 0);

        assertThat(o.kernel()).as("kernel counters; mptcp4j's: %s", o.ours()).containsEntry("MPTcpExtAddAddr", 1L)
                .containsEntry("MPTcpExtEchoAddTx", 1L).containsEntry("MPTcpExtMPJoinSynTx", 1L)
                .containsEntry("MPTcpExtAddAddrDrop", 0L);
        assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtAddAddrTx", 1L)
                .containsEntry("MPTcpExtEchoAdd", 1L).containsEntry("MPTcpExtMPJoinSynRx", 1L)
                .containsEntry("MPTcpExtMPJoinAckRx", 1L);
        o.assertTwoSubflowsCarriedData();
        assertThat(o.subflows()).extracting(KernelSubflow::peerAddress)
                .containsExactlyInAnyOrder(l.mptcp4jAddressA().getHostAddress(), l.mptcp4jAddressB().getHostAddress());
    }

    // ---- DSS checksums required by one side: used in both directions (RFC 8684 section 3.1)

    @Test
    void kernelRequiresChecksums_bothSendThem() throws Exception {
        TestbedLayout l = testbed.layout();
        kernel.setChecksumEnabled(true);
        start(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW))));
        Outcome o = transfer(Role.MPTCP4J_CLIENT, 5505, SMALL, 0);
        o.assertTwoSubflowsCarriedData();
        assertThat(o.fromKernel().dssChecksums()).as("the kernel's DSS options with a checksum").isPositive();
        assertThat(o.fromUs().dssChecksums()).as("our DSS options with a checksum").isPositive();
        assertThat(o.fromUs().dssChecksums()).as("every mapping of ours has one").isEqualTo(o.fromUs().dssMappings());
    }

    @Test
    void mptcp4jRequiresChecksums_kernelSendsThemToo() throws Exception {
        TestbedLayout l = testbed.layout();
        kernel.addEndpoint(KernelMptcp.Endpoint.of(l.kernelAddressB().getHostAddress(), TestbedLayout.PATH_B_KERNEL_IF,
                KernelMptcp.Flag.SUBFLOW));
        start(MptcpConfig.defaults().withChecksumRequired(true));
        Outcome o = transfer(Role.KERNEL_CLIENT, 5506, SMALL, 0);
        o.assertTwoSubflowsCarriedData();
        assertThat(o.fromKernel().dssChecksums()).as("the kernel's DSS options with a checksum")
                .isPositive().isEqualTo(o.fromKernel().dssMappings());
        assertThat(o.fromUs().dssChecksums()).as("our DSS options with a checksum")
                .isPositive().isEqualTo(o.fromUs().dssMappings());
    }

    // ---- fallback to TCP (RFC 8684 section 3.7)

    @Test
    void kernelWithMptcpDisabled_connectionFallsBackToTcp() throws Exception {
        TestbedLayout l = testbed.layout();
        kernel.setEnabled(false); // net.mptcp.enabled=0: the kernel's application falls back to a TCP socket
        start(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW))));
        Outcome o = transfer(Role.MPTCP4J_CLIENT, 5507, SMALL, 0);

        assertThat(o.ours()).as("mptcp4j counters").containsEntry("MPTcpExtMPCapableSYNTX", 1L)
                .containsEntry("MPTcpExtMPCapableFallbackSYNACK", 1L).containsEntry("MPTcpExtMPJoinSynTx", 0L);
        assertThat(o.analysis().subflows()).as("subflows with MPTCP options: %s", o.analysis().summary()).isEqualTo(1);
        assertThat(o.fromKernel().mptcpSegments()).as("the kernel sent no MPTCP option").isZero();
        assertThat(o.subflows()).isEmpty();
    }

    @Test
    void mptcp4jWithMptcpDisabled_kernelServerFallsBackToTcp() throws Exception {
        start(null); // StackConfig.mptcpEnabled false: no MP_CAPABLE offered
        Outcome o = transfer(Role.MPTCP4J_CLIENT, 5508, SMALL, 0);

        assertThat(o.kernel()).as("kernel counters; mptcp4j's: %s", o.ours()).containsEntry("MPTcpExtMPCapableSYNRX", 0L)
                .containsEntry("MPTcpExtMPJoinSynRx", 0L);
        assertThat(o.analysis().mptcpSegments()).as("no MPTCP option either way: %s", o.analysis().summary()).isZero();
    }

    // ---- loss inside one path while data flows

    @Test
    void lossOnPathB_whileDataFlows_nothingLost() throws Exception {
        TestbedLayout l = testbed.layout();
        start(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW))));
        // 1 % each way on path B, dropped where packets arrive (the router's and the kernel's prerouting).
        Outcome o = transfer(Role.MPTCP4J_CLIENT, 5509, 32_000_000, Capture.HEADERS_SNAPLEN, () -> testbed.setLoss(0, 1));

        o.assertTwoSubflowsCarriedData();
        // Path B lost segments of one end or both (which ones depends on how much each scheduler
        // still sent on B once it became lossy); whatever was lost was sent again.
        assertThat(o.ours().getOrDefault("TcpRetransSegs", 0L) + o.kernel().getOrDefault("TcpRetransSegs", 0L))
                .as("retransmissions of what path B lost; mptcp4j's counters %s", o.ours()).isPositive();
    }

    // ---- endpoints changed while data flows (ip mptcp endpoint change / delete)

    @Test
    void mptcp4jEndpointMarkedBackupThenDeleted_kernelReceivesMpPrioAndRemoveAddr() throws Exception {
        TestbedLayout l = testbed.layout();
        start(MptcpConfig.defaults().withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW))));
        Outcome o = transfer(Role.MPTCP4J_CLIENT, 5510, ENDPOINT_CHANGE_BYTES, Capture.HEADERS_SNAPLEN, () -> {
            pause(200);
            host.setEndpointBackup(1, true);
            pause(200);
            host.removeEndpoint(1);
        });

        assertThat(o.ours()).as("mptcp4j counters; kernel's: %s", o.kernel()).containsEntry("MPTcpExtRmAddrTx", 1L)
                .containsEntry("MPTcpExtRmSubflow", 1L);
        assertThat(o.ours().get("MPTcpExtMPPrioTx")).as("mptcp4j counters %s", o.ours()).isPositive();
        assertThat(o.kernel()).as("kernel counters; mptcp4j's: %s", o.ours()).containsEntry("MPTcpExtRmAddr", 1L)
                .containsEntry("MPTcpExtRmAddrDrop", 0L);
        assertThat(o.kernel().get("MPTcpExtMPPrioRx")).as("kernel counters %s", o.kernel()).isPositive();
        assertThat(o.subflows()).as("the kernel's subflows after the delete (ss)").hasSize(1);
    }

    @Test
    void kernelEndpointMarkedBackupThenDeleted_mptcp4jReceivesMpPrioAndRemoveAddr() throws Exception {
        TestbedLayout l = testbed.layout();
        kernel.addEndpoint(KernelMptcp.Endpoint.of(l.kernelAddressB().getHostAddress(), TestbedLayout.PATH_B_KERNEL_IF,
                KernelMptcp.Flag.SUBFLOW));
        int id = kernel.endpoints().getFirst().id();
        start(MptcpConfig.defaults());
        Outcome o = transfer(Role.KERNEL_CLIENT, 5511, ENDPOINT_CHANGE_BYTES, Capture.HEADERS_SNAPLEN, () -> {
            // The kernel sends MP_PRIO only on subflows that are up: a change while its join is
            // still in SYN-SENT goes nowhere (a run whose join SYN-ACK left 200 ms late saw
            // MPTcpExtMPPrioTx 0). Its third ACK, which we count, shows the subflow established.
            awaitOurCounter("MPTcpExtMPJoinAckRx", 1, 10_000);
            pause(200);
            kernel.setEndpointBackup(id, true);
            pause(200);
            kernel.deleteEndpoint(id);
        });

        assertThat(o.kernel()).as("kernel counters; mptcp4j's: %s", o.ours()).containsEntry("MPTcpExtRmAddrTx", 1L);
        assertThat(o.kernel().get("MPTcpExtMPPrioTx")).as("kernel counters %s", o.kernel()).isPositive();
        assertThat(o.ours()).as("mptcp4j counters; kernel's: %s", o.kernel()).containsEntry("MPTcpExtRmAddr", 1L);
        assertThat(o.ours().get("MPTcpExtMPPrioRx")).as("mptcp4j counters %s", o.ours()).isPositive();
        assertThat(o.subflows()).as("the kernel's subflows after the delete (ss)").hasSize(1);
    }

    // ---- other path managers against the kernel

    @Test
    void mptcp4jNdiffportsClient_kernelServer_twoSubflowsOverPathAFromTwoPorts_monitorSeesTheJoin() throws Exception {
        TestbedLayout l = testbed.layout();
        start(MptcpConfig.defaults().withPathManager("ndiffports").withNdiffports(2));
        host.setPmMonitor(true);
        Outcome o = transfer(Role.MPTCP4J_CLIENT, 5510, SMALL, 0);

        assertThat(o.kernel()).as("kernel counters; mptcp4j's: %s", o.ours()).containsEntry("MPTcpExtMPCapableSYNRX", 1L)
                .containsEntry("MPTcpExtMPJoinSynRx", 1L).containsEntry("MPTcpExtMPJoinAckRx", 1L);
        o.assertTwoSubflowsCarriedData();
        // Both subflows join the same two addresses; only our port differs.
        String ours = l.mptcp4jAddressA().getHostAddress();
        assertThat(o.subflows()).extracting(KernelSubflow::peerAddress).containsOnly(ours);
        assertThat(o.subflows()).extracting(KernelSubflow::peer).doesNotHaveDuplicates();
        assertThat(o.subflows()).extracting(KernelSubflow::localAddress).containsOnly(l.kernelAddressA().getHostAddress());
        assertThat(o.subflows()).extracting(KernelSubflow::local).allSatisfy(p -> assertThat(p).endsWith(":5510"));
        List<PmEvent> events = host.pollPmEvents();
        assertThat(events).extracting(PmEvent::type).as("%s", events).startsWith(PmEvent.Type.CREATED,
                PmEvent.Type.ESTABLISHED, PmEvent.Type.SUB_ESTABLISHED);
        PmEvent join = events.get(2);
        assertThat(join.local().orElseThrow().getAddress()).isEqualTo(l.mptcp4jAddressA());
        assertThat(join.local()).isNotEqualTo(events.get(0).local());
        assertThat(join.remote()).isEqualTo(events.get(0).remote());
    }

    /**
     * About 0.8 s each way at 2 x 200 Mbit/s, long enough for both changes to land while data
     * flows; the capture's analysis (three tshark passes) costs more than the transfer.
     */
    private static final int ENDPOINT_CHANGE_BYTES = 32_000_000;

    /** Waits until mptcp4j's counter {@code name} reaches {@code atLeast}, at most {@code millis}. */
    private void awaitOurCounter(String name, long atLeast, long millis) throws java.io.IOException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (host.counters().getOrDefault(name, 0L) < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new java.io.IOException(name + " stayed below " + atLeast + ": " + host.counters());
            }
            pause(10);
        }
    }

    private static void pause(long millis) throws java.io.InterruptedIOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
        }
    }

    // ---- the transfer all cases share (KernelMptcpTransfers)

    private void start(MptcpConfig mptcp) throws IOException {
        host = transfers.start(mptcp);
    }

    private Outcome transfer(Role role, int port, int bytes, int snaplen) throws Exception {
        return transfer(role, port, bytes, snaplen, () -> {});
    }

    private Outcome transfer(Role role, int port, int bytes, int snaplen, Action whileFlowing) throws Exception {
        return transfers.transfer(host, role, port, bytes, snaplen, whileFlowing);
    }
}
