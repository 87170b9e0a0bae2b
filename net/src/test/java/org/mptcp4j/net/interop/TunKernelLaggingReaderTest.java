package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

/**
 * The kernel's MPTCP sending as fast as two unlimited veth paths let it, to an mptcp4j reader that
 * stops now and then: the case that collapsed on 2026-12-03. When the reader lags, the data-level
 * window closes, and the kernel goes on sending past its right edge: it takes the edge as the
 * DATA_ACK plus a subflow's TCP send window ({@code ack_update_msk}), and that TCP keeps a larger
 * window than the one last announced until its own ACK moves ({@code tcp_may_update_window}). With
 * a receive buffer an eighth larger than its window mptcp4j dropped what lay beyond
 * ({@code MPTcpExtNoDSSInWindow}) after the subflows had acknowledged it, and the kernel took it
 * back one data-level retransmission timeout at a time (2 GB in up to 19 s instead of 5). The
 * buffer is now twice the window, as Linux's is; this checks that a lagging reader costs nothing.
 *
 * <p>Without SHA-256 on either side, so that the kernel sends as fast as in {@code ./mptcp4j perf}:
 * the kernel peer sends its 1 MiB seeded block again and again ({@code kernel_peer.py --no-hash}),
 * and the reader compares every byte with the same block built here. On its own testbed of
 * unlimited paths (run-unique id, removed also on failure).
 */
class TunKernelLaggingReaderTest {
    /**
     * 2 GB, as {@code ./mptcp4j perf} moved when the collapse was found. With the old buffer 768 MB
     * brought out no drop in two runs; 2 GB dropped data in each of four (one of them with the
     * reader stopping 20 ms every 4 MB).
     */
    private static final int BYTES = 2_000_000_000;
    /** The reader stops for {@link #PAUSE_MILLIS} after every this many bytes. */
    private static final int PAUSE_EVERY = 24 << 20;
    private static final long PAUSE_MILLIS = 40;
    private static final int SEED = 3;
    private static Testbed testbed;
    private static MptcpHost host;

    @BeforeAll
    static void up() throws Exception {
        NetCapabilities.requireRootTunAndNamespaces();
        NetCapabilities.requireProgram("python3");
        NetCapabilities.requireProgram("nstat");
        testbed = Testbed.up(TestbedConfig.defaults(Testbed.newId()));
        TestbedLayout l = testbed.layout();
        KernelMptcp kernel = KernelMptcp.in(l.kernelNamespace());
        kernel.setEnabled(true);
        kernel.setLimits(new KernelMptcp.Limits(8, 8));
        // GSO and GRO on the TUN, as ./mptcp4j perf runs it: the rate at which the kernel overshot.
        StackConfig config = StackConfig.defaults().withMptcp(MptcpConfig.defaults()
                .withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW))));
        host = MptcpHost.start("lagging-reader", config, new SecureRng(), new TunLink(testbed.openTun(true, true), true),
                List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()), null, null);
    }

    @AfterAll
    static void down() throws Exception {
        try {
            if (host != null) {
                host.close(Duration.ofSeconds(2));
            }
        } finally {
            host = null;
            if (testbed != null) {
                Testbed.down(testbed.config().id());
                testbed = null;
            }
        }
    }

    @Test
    void kernelSendsOverTwoSubflows_readerStopsEvery24MB_nothingDroppedPastTheWindow() throws Exception {
        TestbedLayout l = testbed.layout();
        Map<String, Long> kernelBefore = Nstat.read(l.kernelNamespace());
        Map<String, Long> oursBefore = host.counters();
        long received;
        try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--bind", "0.0.0.0", "--port", "0",
                "--mptcp", "--send", Integer.toString(BYTES), "--seed", Integer.toString(SEED), "--no-hash",
                "--timeout", "120")) {
            int port = server.awaitListening();
            try (MptcpSocket s = new MptcpSocket(host)) {
                s.bind(new InetSocketAddress(l.mptcp4jAddressA(), 0));
                s.connect(new InetSocketAddress(l.kernelAddressA(), port), 10_000);
                // The kernel peer reads to the end of our stream, then sends: end it once the join is
                // up. Ended at once, the join would come after our DATA_FIN, which neither end allows
                // (Linux: the kernel refused it, MPTcpExtMPJoinRejected; mptcp4j now opens none), and
                // the transfer would run on one subflow.
                awaitTwoSubflows(s);
                s.shutdownOutput();
                received = readLagging(s.getInputStream());
            }
            Map<String, String> k = server.awaitResult(120);
            assertThat(k.get("sent")).isEqualTo(Integer.toString(BYTES));
        }
        Map<String, Long> ours = Nstat.delta(oursBefore, host.counters());
        Map<String, Long> kernel = Nstat.delta(kernelBefore, Nstat.read(l.kernelNamespace()));
        assertThat(received).isEqualTo(BYTES);
        assertThat(ours).as("mptcp4j counters; the kernel's: %s", kernel).containsEntry("MPTcpExtMPJoinSynTx", 1L)
                .containsEntry("MPTcpExtMPJoinSynAckRx", 1L).containsEntry("MPTcpExtMPRstRx", 0L)
                .containsEntry("MPTcpExtNoDSSInWindow", 0L);
        // The kernel's data-level retransmissions: 25 to 316 per run with the old buffer (every run
        // dropped data), none in three runs with the new one; a stray one or two may come from
        // elsewhere.
        assertThat(kernel.getOrDefault("MPTcpExtMPTCPRetrans", 0L)).as("the kernel's counters: %s", kernel).isLessThan(10);
    }

    private static void awaitTwoSubflows(MptcpSocket s) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (s.mptcpInfo().subflows().stream().filter(f -> f.established()).count() < 2) {
            assertThat(System.nanoTime()).as("two subflows established within 10 s: %s", s.mptcpInfo()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /**
     * Reads to the end of the stream, stopping {@link #PAUSE_MILLIS} after every
     * {@link #PAUSE_EVERY} bytes, and checks each byte against the kernel peer's block.
     */
    private static long readLagging(InputStream in) throws IOException, InterruptedException {
        byte[] block = kernelPeerBlock(SEED);
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        long nextPause = PAUSE_EVERY;
        int n;
        while ((n = in.read(buffer)) > 0) {
            for (int done = 0; done < n; ) {
                int at = (int) ((total + done) % block.length);
                int run = Math.min(n - done, block.length - at);
                int mismatch = Arrays.mismatch(buffer, done, done + run, block, at, at + run);
                assertThat(mismatch).as("first byte that differs from what the kernel sent, at stream offset %d",
                        total + done + mismatch).isEqualTo(-1);
                done += run;
            }
            total += n;
            if (total >= nextPause) {
                Thread.sleep(PAUSE_MILLIS);
                nextPause += PAUSE_EVERY;
            }
        }
        return total;
    }

    /** {@code kernel_peer.py}'s block for {@code seed}: SHA-256 chained from the seed's decimal string, each digest 64 times, 1 MiB. */
    private static byte[] kernelPeerBlock(int seed) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] block = new byte[1 << 20];
            byte[] h = sha.digest(Integer.toString(seed).getBytes(StandardCharsets.US_ASCII));
            for (int at = 0; at < block.length; ) {
                h = sha.digest(h);
                for (int k = 0; k < 64 && at < block.length; k++, at += h.length) {
                    System.arraycopy(h, 0, block, at, h.length);
                }
            }
            return block;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
