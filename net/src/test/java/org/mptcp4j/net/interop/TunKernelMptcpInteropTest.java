package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.testbed.Capture;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.KernelSubflow;
import org.mptcp4j.net.testbed.MptcpAnalysis;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

/**
 * MPTCP between mptcp4j on the testbed's TUN and the Linux kernel's MPTCP, each with two subflows
 * (one per path), both directions at once: the kernel is the judge. Its counters must rise as for a
 * Linux peer, both subflows must carry data (the kernel's {@code ss}), SHA-256 must match both ways,
 * and tshark's MPTCP analysis of the full capture must find no mapping or DSN problem.
 */
class TunKernelMptcpInteropTest {
    private static final int BYTES = 8_000_000;
    private static Testbed testbed;
    private static MptcpHost host;
    private static KernelMptcp kernel;

    @BeforeAll
    static void up() throws Exception {
        NetCapabilities.requireRootTunAndNamespaces();
        for (String program : new String[] {"python3", "nstat", "ss", "tshark"}) {
            NetCapabilities.requireProgram(program);
        }
        // 200 Mbit/s per path keeps a full capture within what tshark writes without drops.
        testbed = Testbed.up(TestbedConfig.defaults(Testbed.newId()).withRates(200_000_000L, 200_000_000L));
        TestbedLayout l = testbed.layout();
        kernel = KernelMptcp.in(l.kernelNamespace());
        kernel.flushEndpoints();
        kernel.setLimits(new KernelMptcp.Limits(8, 8));
        StackConfig config = StackConfig.defaults().withMptcp(MptcpConfig.defaults()
                .withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW)))
                .withLimits(new Limits(2, 1)));
        host = MptcpHost.start("tun-mptcp", config, new SecureRng(), new TunLink(testbed.openTun(false, false), true),
                List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()), null, null);
    }

    @AfterAll
    static void down() throws Exception {
        try {
            if (host != null) {
                host.close();
            }
        } finally {
            host = null;
            if (testbed != null) {
                Testbed.down(testbed.config().id());
                testbed = null;
            }
        }
    }

    @BeforeEach
    void kernelChecksumsOff() throws Exception {
        kernel.setChecksumEnabled(false);
    }

    @Test
    void mptcp4jClient_kernelServer_twoSubflows_bothWaysAtOnce() throws Exception {
        Outcome o = clientToKernel(5501);
        assertThat(o.analysis().dssChecksums()).isZero();
    }

    @Test
    void kernelRequiresChecksums_bothSendThem() throws Exception {
        kernel.setChecksumEnabled(true);
        Outcome o = clientToKernel(5502);
        assertThat(o.fromKernel().dssChecksums()).as("the kernel's DSS options with a checksum").isPositive();
        assertThat(o.fromUs().dssChecksums()).as("our DSS options with a checksum").isPositive();
    }

    private record Outcome(MptcpAnalysis analysis, MptcpAnalysis fromUs, MptcpAnalysis fromKernel) {}

    /** mptcp4j connects from path A's address and joins from path B's; both ends send {@link #BYTES} at once. */
    private static Outcome clientToKernel(int port) throws Exception {
        TestbedLayout l = testbed.layout();
        String kernelA = l.kernelAddressA().getHostAddress();
        Map<String, Long> kernelBefore = kernel.counters();
        Map<String, Long> oursBefore = host.counters();
        List<KernelSubflow> subflows;
        Map<String, String> k;
        Transfers.Result sent;
        Transfers.Result received;
        try (Capture capture = Capture.start(l.kernelNamespace(), "any", "tcp port " + port, 0)) {
            try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--mptcp", "--bind", kernelA,
                    "--port", Integer.toString(port), "--duplex", "--hold", "--expect", Integer.toString(BYTES),
                    "--send", Integer.toString(BYTES), "--seed", "2", "--timeout", "60")) {
                server.awaitListening();
                try (MptcpSocket s = new MptcpSocket(host)) {
                    s.bind(new InetSocketAddress(l.mptcp4jAddressA(), 0));
                    s.connect(new InetSocketAddress(l.kernelAddressA(), port), 10_000);
                    CompletableFuture<Transfers.Result> sending = CompletableFuture.supplyAsync(() -> {
                        try {
                            Transfers.Result r = Transfers.send(s.getOutputStream(), BYTES, 1);
                            s.shutdownOutput();
                            return r;
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }, r -> Thread.ofVirtual().start(r));
                    received = Transfers.receive(s.getInputStream());
                    sent = sending.get(60, TimeUnit.SECONDS);
                    server.awaitHolding();
                    subflows = kernel.subflows(); // still open: the subflows' final counters
                    server.release();
                    k = server.awaitResult(60);
                }
            }
            capture.stop();
            MptcpAnalysis analysis = MptcpAnalysis.of(capture.file());
            assertThat(k.get("received")).isEqualTo(Integer.toString(BYTES));
            assertThat(k.get("received_sha256")).as("the kernel received what mptcp4j sent").isEqualTo(sent.sha256());
            assertThat(received.bytes()).isEqualTo(BYTES);
            assertThat(received.sha256()).as("mptcp4j received what the kernel sent").isEqualTo(k.get("sent_sha256"));

            Map<String, Long> kd = Nstat.delta(kernelBefore, kernel.counters());
            assertThat(kd).as("kernel counters").containsEntry("MPTcpExtMPCapableSYNRX", 1L)
                    .containsEntry("MPTcpExtMPCapableACKRX", 1L).containsEntry("MPTcpExtMPJoinSynRx", 1L)
                    .containsEntry("MPTcpExtMPJoinAckRx", 1L).containsEntry("MPTcpExtMPJoinAckHMacFailure", 0L)
                    .containsEntry("MPTcpExtDataCsumErr", 0L).containsEntry("MPTcpExtMPCapableFallbackACK", 0L)
                    .containsEntry("MPTcpExtDSSNotMatching", 0L);
            Map<String, Long> od = Nstat.delta(oursBefore, host.counters());
            assertThat(od).as("mptcp4j counters").containsEntry("MPTcpExtMPCapableSYNACKRX", 1L)
                    .containsEntry("MPTcpExtMPJoinSynAckRx", 1L);

            assertThat(subflows).as("the kernel's subflows: %s", subflows).hasSize(2);
            for (KernelSubflow f : subflows) {
                assertThat(f.bytesAcked()).as("bytes_acked of %s", f).isGreaterThan(1);
                assertThat(f.bytesReceived()).as("bytes_received of %s", f).isPositive();
            }
            assertThat(analysis.problems()).as(analysis.summary()).isEmpty();
            assertThat(analysis.subflows()).as(analysis.summary()).isEqualTo(2);
            return new Outcome(analysis, MptcpAnalysis.of(capture.file(), "ip.dst == " + kernelA),
                    MptcpAnalysis.of(capture.file(), "ip.src == " + kernelA));
        }
    }
}
