package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpResetException;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.testbed.Capture;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.ResetReason;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.tcp.TcpState;

/**
 * Plain TCP between mptcp4j on the testbed's TUN and the Linux kernel's TCP, both directions, on a
 * testbed of its own (run-unique id, removed in {@link #down()} also on failure). Transfers are
 * {@value #BYTES} bytes each way to keep the suite fast; {@code ./mptcp4j perf} moves 1 GB. Run twice:
 * with one {@code write(2)} per segment ({@link TunKernelPlainInteropTest}) and with GSO
 * batching over {@code IFF_VNET_HDR} ({@link TunKernelGsoInteropTest}).
 */
abstract class TunKernelInterop {
    private static final long BYTES = 50_000_000L;
    private static final long SEED = 20_240_601L;
    private static Testbed testbed;
    private static MptcpHost host;
    /** The host's link, for its offload counters. */
    static TunLink link;
    private static int nextPort = 5100;

    static void start(boolean gso) throws Exception {
        start(gso, false);
    }

    static void start(boolean gso, boolean receiveOffload) throws Exception {
        NetCapabilities.requireRootTunAndNamespaces();
        NetCapabilities.requireProgram("python3");
        NetCapabilities.requireProgram("tshark");
        NetCapabilities.requireProgram("nstat");
        testbed = Testbed.up(TestbedConfig.defaults(Testbed.newId()));
        TestbedLayout l = testbed.layout();
        link = new TunLink(testbed.openTun(gso, receiveOffload), true);
        host = MptcpHost.start("tun-interop", StackConfig.defaults(), new SecureRng(), link,
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
            link = null;
            if (testbed != null) {
                Testbed.down(testbed.config().id());
                testbed = null;
            }
        }
    }

    @Test
    void mptcp4jClient_kernelServer_bothWays_equalSha256_optionsAccepted_noRetransmissionStorm() throws Exception {
        TestbedLayout l = testbed.layout();
        int port = nextPort++;
        Map<String, Long> before = Nstat.read(l.kernelNamespace());
        try (Capture capture = Capture.start(l.kernelNamespace(), TestbedLayout.PATH_A_KERNEL_IF, Capture.CONTROL_SEGMENTS);
                KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server",
                        "--bind", l.kernelAddressA().getHostAddress(), "--port", Integer.toString(port),
                        "--send", Long.toString(BYTES), "--timeout", "120")) {
            server.awaitListening();
            Transfers.Result sent;
            Transfers.Result received;
            try (MptcpSocket s = new MptcpSocket(host)) {
                s.bind(new InetSocketAddress(l.mptcp4jAddressA(), 0));
                s.connect(new InetSocketAddress(l.kernelAddressA(), port), 10_000);
                sent = Transfers.send(s.getOutputStream(), BYTES, SEED);
                s.shutdownOutput();
                received = Transfers.receive(s.getInputStream());
                assertThat(s.info().state()).as("the kernel's FIN arrived").isIn(TcpState.TIME_WAIT, TcpState.CLOSING, TcpState.CLOSED);
            }
            Map<String, String> kernel = server.awaitResult(120);
            assertThat(kernel.get("received")).isEqualTo(Long.toString(BYTES));
            assertThat(kernel.get("received_sha256")).as("kernel received what mptcp4j sent").isEqualTo(sent.sha256());
            assertThat(received.bytes()).isEqualTo(BYTES);
            assertThat(received.sha256()).as("mptcp4j received what the kernel sent").isEqualTo(kernel.get("sent_sha256"));
            checkReceivePath(link);

            String ours = "ip.src == " + l.mptcp4jAddressA().getHostAddress();
            String theirs = "ip.src == " + l.kernelAddressA().getHostAddress();
            // The kernel answered our SYN's options: MSS, SACK-permitted, timestamps and window scale came back.
            var handshake = capture.fields("tcp", "frame.time_relative", "ip.src",
                    "tcp.srcport", "tcp.dstport", "tcp.flags.str", "tcp.seq", "tcp.ack");
            assertThat(capture.count(ours + " && tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.options.mss_val"))
                    .as("our SYNs in %s", handshake).isEqualTo(1);
            assertThat(capture.count(theirs + " && tcp.flags.syn == 1 && tcp.flags.ack == 1")).isEqualTo(1);
            assertThat(capture.count(theirs + " && tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.options.sack_perm")).isEqualTo(1);
            assertThat(capture.count(theirs + " && tcp.flags.syn == 1 && tcp.flags.ack == 1 && tcp.options.wscale.shift")).isEqualTo(1);
            // FIN in both directions, no RST.
            assertThat(capture.count(ours + " && tcp.flags.fin == 1")).isGreaterThanOrEqualTo(1);
            assertThat(capture.count(theirs + " && tcp.flags.fin == 1")).as("FINs in %s", handshake).isGreaterThanOrEqualTo(1);
            assertThat(capture.count("tcp.flags.reset == 1")).as("RSTs among the control segments %s", handshake).isZero();
        }
        Map<String, Long> delta = Nstat.delta(before, Nstat.read(l.kernelNamespace()));
        long segmentsOut = delta.getOrDefault("TcpOutSegs", 0L);
        assertThat(delta.getOrDefault("TcpRetransSegs", 0L)).as("kernel retransmissions of %d segments", segmentsOut)
                .isLessThanOrEqualTo(Math.max(10, segmentsOut / 100));
    }

    /**
     * Called after a kernel to mptcp4j transfer whose SHA-256 matched: what the link must have seen.
     * Without {@code TUNSETOFFLOAD} the kernel cuts every TSO burst to the MTU before the TUN.
     */
    void checkReceivePath(TunLink link) {
        assertThat(link.superPacketsReceived()).as("super-segments without receive offload").isZero();
    }

    @Test
    void kernelClient_mptcp4jServer_bothWays_equalSha256() throws Exception {
        TestbedLayout l = testbed.layout();
        int port = nextPort++;
        try (MptcpServerSocket listener = new MptcpServerSocket(host, new InetSocketAddress(l.mptcp4jAddressA(), port), 8);
                KernelPeer client = KernelPeer.start(l.kernelNamespace(), "client",
                        "--connect", l.mptcp4jAddressA().getHostAddress(), "--port", Integer.toString(port),
                        "--send", Long.toString(BYTES), "--timeout", "120")) {
            listener.setSoTimeout(20_000);
            Transfers.Result received;
            Transfers.Result sent;
            try (MptcpSocket s = listener.accept()) {
                received = Transfers.receive(s.getInputStream());
                sent = Transfers.send(s.getOutputStream(), BYTES, SEED);
            }
            Map<String, String> kernel = client.awaitResult(120);
            assertThat(received.bytes()).isEqualTo(BYTES);
            assertThat(received.sha256()).isEqualTo(kernel.get("sent_sha256"));
            assertThat(kernel.get("received")).isEqualTo(Long.toString(BYTES));
            assertThat(kernel.get("received_sha256")).isEqualTo(sent.sha256());
        }
    }

    @Test
    void kernelAbortsWithRst_mptcp4jReaderSeesResetByPeer() throws Exception {
        TestbedLayout l = testbed.layout();
        int port = nextPort++;
        try (MptcpServerSocket listener = new MptcpServerSocket(host, new InetSocketAddress(l.mptcp4jAddressA(), port), 8);
                KernelPeer client = KernelPeer.start(l.kernelNamespace(), "client", "--abort",
                        "--connect", l.mptcp4jAddressA().getHostAddress(), "--port", Integer.toString(port),
                        "--send", "1000", "--timeout", "30")) {
            listener.setSoTimeout(20_000);
            try (MptcpSocket s = listener.accept()) {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                assertThatThrownBy(() -> {
                    while (in.read(new byte[4096]) >= 0) {
                        // the kernel's RST ends this
                    }
                }).isInstanceOfSatisfying(MptcpResetException.class,
                        e -> assertThat(e.reason()).isEqualTo(ResetReason.RESET_BY_PEER));
            }
            client.awaitResult(30);
        }
    }

    @Test
    void mptcp4jAborts_kernelSeesConnectionReset() throws Exception {
        TestbedLayout l = testbed.layout();
        int port = nextPort++;
        try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server",
                "--bind", l.kernelAddressA().getHostAddress(), "--port", Integer.toString(port), "--timeout", "30")) {
            server.awaitListening();
            try (MptcpSocket s = new MptcpSocket(host)) {
                s.connect(new InetSocketAddress(l.kernelAddressA(), port), 10_000);
                s.getOutputStream().write(new byte[1000]);
                s.abort();
            }
            assertThat(server.awaitResult(30).get("error")).isEqualTo("reset");
        }
    }

    @Test
    void noListener_connectIsRefused() {
        TestbedLayout l = testbed.layout();
        assertThatThrownBy(() -> {
            try (MptcpSocket s = new MptcpSocket(host)) {
                s.connect(new InetSocketAddress(l.kernelAddressA(), 9), 10_000);
            }
        }).isInstanceOf(ConnectException.class).hasMessageContaining("Connection refused");
    }
}
