package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.net.support.Payload.random;
import static org.mptcp4j.net.support.Payload.readN;
import static org.mptcp4j.net.support.Payload.sha256;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.net.os.NetNamespace;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.support.TestNamespace;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelMptcpSocket;
import org.mptcp4j.net.testbed.KernelSubflow;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.tcp.TcpState;

/**
 * The kernel engine's FFM layer on loopback, kernel to kernel, in a fresh network namespace (so
 * its MPTCP settings are ours to change): bytes through, what {@code MPTCP_INFO} and the
 * per-subflow {@code TCP_INFO} report against what {@code ss} prints for the same sockets, the
 * fallback to TCP, java.net's exceptions, and the knobs the engine refuses.
 */
class KernelEngineLoopbackTest {
    private static final InetAddress LO = InetAddress.ofLiteral("127.0.0.1");
    private static final InetAddress LO_2 = InetAddress.ofLiteral("127.0.0.2");
    private TestNamespace ns;
    private KernelMptcp kernel;

    @BeforeEach
    void namespace() throws IOException {
        NetCapabilities.requireRootTunAndNamespaces();
        NetCapabilities.requireProgram("ss");
        ns = TestNamespace.create();
        kernel = KernelMptcp.in(ns.name());
    }

    @AfterEach
    void removeNamespace() throws IOException {
        if (ns != null) {
            ns.close();
        }
    }

    /** A listener of {@code serverHost} on 127.0.0.1, a client of {@code clientHost} connected to it, and the accepted side. */
    private record Connection(MptcpServerSocket listener, MptcpSocket client, MptcpSocket server) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (listener; client; server) {
                // closes all three, also when one close throws
            }
        }
    }

    /** A {@link Connection} made in the namespace. */
    private Connection connect(MptcpHost serverHost, MptcpHost clientHost) throws IOException {
        MptcpServerSocket listener = inNamespace(() -> new MptcpServerSocket(serverHost, new InetSocketAddress(LO, 0), 8));
        MptcpSocket client = null;
        try {
            client = inNamespace(() -> MptcpSocket.connect(clientHost,
                    new InetSocketAddress(LO, listener.getLocalPort()), 5_000));
            return new Connection(listener, client, listener.accept());
        } catch (IOException | RuntimeException e) {
            if (client != null) {
                client.close();
            }
            listener.close();
            throw e;
        }
    }

    /** {@code data} written to {@code from} arrives whole at {@code to} (SHA-256 equal). */
    private static void assertDelivered(MptcpSocket from, MptcpSocket to, byte[] data) throws Exception {
        assertThat(sha256(delivered(from, to, data))).isEqualTo(sha256(data));
    }

    /** What {@code to} reads of {@code data} written to {@code from}. */
    private static byte[] delivered(MptcpSocket from, MptcpSocket to, byte[] data) throws Exception {
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> readN(to, data.length));
        from.getOutputStream().write(data);
        return received.get(30, TimeUnit.SECONDS);
    }

    /**
     * A connection of {@code host} to itself over which {@code data} went from client to server
     * intact; a second one if the first delivered other bytes. Both ends are Linux here, and Linux
     * 6.18.44 altered a two-subflow stream in two of three CI runs on 2026-12-01 (here once, and
     * kernel to kernel on the testbed, where a capture in the receiver's namespace held every byte
     * sent, at the right DSN, while the receiving kernel handed its application other bytes:
     * {@code KernelMptcpInteropTest}). Both connections altered fails.
     */
    private Connection connectDeliveringIntact(MptcpHost host, byte[] data) throws Exception {
        for (int attempt = 1; ; attempt++) {
            Connection c = connect(host, host);
            try {
                String got = sha256(delivered(c.client(), c.server(), data));
                if (got.equals(sha256(data)) || attempt == 2) {
                    assertThat(got).as("SHA-256 of what the server read, connection %d", attempt).isEqualTo(sha256(data));
                    return c;
                }
                System.err.println("kernel MPTCP over loopback delivered other bytes than were sent; once more");
            } catch (Exception | AssertionError e) {
                c.close();
                throw e;
            }
            c.close();
        }
    }

    /** Sockets made in the namespace (a socket stays in the namespace it was created in). */
    private <T> T inNamespace(java.util.concurrent.Callable<T> work) throws IOException {
        return NetNamespace.call(ns.name(), work);
    }

    @Test
    void mptcpBothEnds_twoSubflows_sha256EqualAndInfoMatchesSs() throws Exception {
        kernel.setLimits(new KernelMptcp.Limits(2, 2));
        kernel.addEndpoint(KernelMptcp.Endpoint.of(LO_2.getHostAddress(), "lo", KernelMptcp.Flag.SUBFLOW));
        MptcpHost host = MptcpHost.kernel();
        byte[] data = random(4_000_000, 16);
        try (Connection c = connectDeliveringIntact(host, data)) {
            MptcpSocket client = c.client();
            MptcpSocket server = c.server();
            // The data level can be acknowledged before a subflow is: the server's DATA_ACK on one
            // subflow covers what arrived on the other, whose own ACK may still wait for the
            // delayed-ACK timer (seen in CI: that subflow's bytes_acked one segment short of what ss
            // read a moment later). So wait for nothing in flight on any subflow too.
            awaitUntil(() -> {
                MptcpInfo now = client.mptcpInfo();
                return now.subflows().stream().filter(f -> f.state() == TcpState.ESTABLISHED).count() == 2
                        && now.bytesAcked() == data.length
                        && now.subflows().stream().allMatch(f -> f.bytesInFlight() == 0);
            });

            // Idle now, at both levels: the counters hold still while ss reads them.
            MptcpInfo info = client.mptcpInfo();
            assertThat(client.engine()).isEqualTo(Engine.KERNEL);
            assertThat(client.getOption(MptcpSocketOptions.ENGINE)).isEqualTo(Engine.KERNEL);
            assertThat(info.mode()).isEqualTo(MptcpConnection.Mode.MPTCP);
            assertThat(info.bytesSent()).isEqualTo(data.length);
            assertThat(info.bytesAcked()).isEqualTo(data.length);
            assertThat(server.mptcpInfo().bytesReceived()).isEqualTo(data.length);
            assertThat(info.subflows()).hasSize(2).allSatisfy(s -> assertThat(s.state()).isEqualTo(TcpState.ESTABLISHED));
            assertThat(info.subflows()).extracting(s -> s.local().getAddress()).containsExactlyInAnyOrder(LO, LO_2);
            assertThat(client.fallbackReason()).isEmpty();

            InetSocketAddress local = client.getLocalSocketAddress();
            List<KernelMptcpSocket> all = kernel.mptcpSockets();
            KernelMptcpSocket ss = all.stream().filter(s -> s.local().equals("127.0.0.1:" + local.getPort()))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + local + " in ss -Mi: " + all));
            assertThat(ss.token()).as("ss -Mi token").isEqualTo(Integer.toUnsignedLong(info.localToken()));
            assertThat(ss.additionalSubflows()).as("ss -Mi subflows").isEqualTo(info.subflows().size() - 1);
            assertThat(ss.fallback()).isFalse();

            List<KernelSubflow> ssSubflows = kernel.subflows().stream()
                    .filter(s -> s.localToken() == Integer.toUnsignedLong(info.localToken())).toList();
            assertThat(ssSubflows).hasSize(2);
            for (MptcpInfo.SubflowInfo ours : info.subflows()) {
                String localText = ours.local().getAddress().getHostAddress() + ":" + ours.local().getPort();
                // ss writes a subflow bound to an endpoint's device as 127.0.0.2%lo:PORT
                KernelSubflow theirs = ssSubflows.stream().filter(s -> s.localAddress().equals(
                        ours.local().getAddress().getHostAddress()) && s.local().endsWith(":" + ours.local().getPort()))
                        .findFirst().orElseThrow(() -> new AssertionError(localText + " not in ss -ti: " + ssSubflows));
                assertThat(theirs.peerAddress()).isEqualTo(ours.remote().getAddress().getHostAddress());
                assertThat(theirs.peer()).endsWith(":" + ours.remote().getPort());
                assertThat(ours.bytesSent()).as("subflow %s bytes_sent", localText).isEqualTo(theirs.bytesSent());
                assertThat(ours.bytesAcked()).as("subflow %s bytes_acked", localText).isEqualTo(theirs.bytesAcked());
                assertThat(ours.bytesReceived()).as("subflow %s bytes_received", localText).isEqualTo(theirs.bytesReceived());
            }
            assertThat(info.subflows().stream().mapToLong(MptcpInfo.SubflowInfo::bytesSent).sum())
                    .as("the subflows carried the data between them").isGreaterThanOrEqualTo(data.length);

            ConnectionInfo tcp = client.info();
            assertThat(tcp.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(tcp.local()).isEqualTo(local);
            assertThat(tcp.mss()).isPositive();
            assertThat(tcp.sack()).isTrue();
        }
    }

    @Test
    void ipv6Loopback_mptcpBothEnds() throws Exception {
        InetAddress lo6 = InetAddress.ofLiteral("::1");
        MptcpHost host = MptcpHost.kernel();
        byte[] data = random(1_000_000, 18);
        try (MptcpServerSocket listener = inNamespace(() -> new MptcpServerSocket(host, new InetSocketAddress(lo6, 0), 8));
             MptcpSocket client = inNamespace(() -> MptcpSocket.connect(host,
                     new InetSocketAddress(lo6, listener.getLocalPort()), 5_000));
             MptcpSocket server = listener.accept()) {
            assertDelivered(client, server, data);
            assertThat(client.getInetAddress()).isEqualTo(lo6);
            assertThat(server.getInetAddress()).isEqualTo(lo6);
            MptcpInfo info = client.mptcpInfo();
            assertThat(info.mode()).isEqualTo(MptcpConnection.Mode.MPTCP);
            assertThat(info.subflows()).singleElement().satisfies(s -> {
                assertThat(s.local().getAddress()).isEqualTo(lo6);
                assertThat(s.remote()).isEqualTo(new InetSocketAddress(lo6, listener.getLocalPort()));
            });
        }
    }

    @Test
    void mptcpDisabledInNamespace_socketIsPlainTcpAndSaysWhy() throws Exception {
        kernel.setEnabled(false);
        MptcpHost host = MptcpHost.kernel();
        byte[] data = random(1_000_000, 17);
        try (Connection c = connect(host, host)) {
            MptcpSocket client = c.client();
            MptcpSocket server = c.server();
            assertDelivered(client, server, data);

            MptcpInfo info = client.mptcpInfo();
            assertThat(info.mode()).isEqualTo(MptcpConnection.Mode.PLAIN);
            // tcpi_bytes_sent counts retransmitted bytes too (a loaded machine saw a spurious RTO
            // on loopback: 1 047 616); what was sent once is all the data.
            assertThat(info.subflows()).singleElement()
                    .satisfies(s -> assertThat(s.bytesSent() - s.bytesRetransmitted()).isEqualTo(data.length));
            assertThat(client.getOption(MptcpSocketOptions.MPTCP_ENABLED)).isFalse();
            assertThat(client.fallbackReason()).hasValueSatisfying(r -> assertThat(r).contains("Protocol not available"));
            assertThat(kernel.mptcpSockets()).as("ss -Mi").isEmpty();
            assertThat(kernel.subflows()).as("ss -ti: no tcp-ulp-mptcp").isEmpty();
        }
    }

    @Test
    void mptcpClient_plainTcpServer_connectionFallsBack() throws Exception {
        MptcpHost mptcp = MptcpHost.kernel();
        MptcpHost tcp = MptcpHost.kernel(StackConfig.defaults().withMptcpEnabled(false));
        try (Connection c = connect(tcp, mptcp)) {
            MptcpSocket client = c.client();
            MptcpSocket server = c.server();
            client.getOutputStream().write("hello".getBytes());
            byte[] got = server.getInputStream().readNBytes(5);
            assertThat(new String(got)).isEqualTo("hello");
            assertThat(client.mptcpInfo().mode()).isEqualTo(MptcpConnection.Mode.FALLBACK);
            assertThat(server.mptcpInfo().mode()).isEqualTo(MptcpConnection.Mode.PLAIN);
            assertThat(server.fallbackReason()).as("plain TCP by choice, not by refusal").isEmpty();
        }
    }

    @Test
    void errors_areJavaNets() throws Exception {
        MptcpHost host = MptcpHost.kernel();
        try (MptcpServerSocket listener = inNamespace(() -> new MptcpServerSocket(host, new InetSocketAddress(LO, 0), 8))) {
            int port = listener.getLocalPort();
            assertThatThrownBy(() -> inNamespace(() -> new MptcpServerSocket(host, new InetSocketAddress(LO, port), 8)))
                    .isInstanceOf(BindException.class).hasMessage("Address already in use");
            assertThatThrownBy(() -> inNamespace(() -> MptcpSocket.connect(host, new InetSocketAddress(LO, port + 1), 5_000)))
                    .isInstanceOf(ConnectException.class).hasMessage("Connection refused");
            listener.setSoTimeout(50);
            assertThatThrownBy(listener::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void closeFromAnotherThread_wakesBlockedReadWithSocketClosed() throws Exception {
        MptcpHost host = MptcpHost.kernel();
        try (Connection c = connect(host, host)) {
            MptcpSocket client = c.client();
            MptcpSocket server = c.server();
            CompletableFuture<Throwable> reader = new CompletableFuture<>();
            Thread t = Thread.ofVirtual().start(() -> {
                try {
                    client.getInputStream().read();
                    reader.complete(null);
                } catch (Throwable e) {
                    reader.complete(e);
                }
            });
            awaitUntil(() -> blockedInRead(t));
            client.close();
            assertThat(reader.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessage("Socket closed");
            assertThat(client.mptcpInfo().mode()).as("the statistics survive close").isEqualTo(MptcpConnection.Mode.MPTCP);
            assertThat(server.getInputStream().read()).as("the peer sees the end").isEqualTo(-1);
        }
    }

    @Test
    void knobsTheKernelDecides_areRefusedNotIgnored() throws Exception {
        assertThatThrownBy(() -> MptcpHost.kernel(StackConfig.defaults().withCongestionControl("lia")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no coupled congestion control");
        assertThatThrownBy(() -> MptcpHost.kernel(StackConfig.defaults().withMptcp(
                org.mptcp4j.mptcp.MptcpConfig.defaults().withScheduler("minrtt"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("net.mptcp.scheduler");
        MptcpHost host = MptcpHost.kernel();
        assertThatThrownBy(host::endpoints).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("ip mptcp");
        assertThatThrownBy(() -> MptcpSocketChannel.open(host)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("NIO");
        try (MptcpSocket s = new MptcpSocket(host)) {
            assertThatThrownBy(() -> s.setOption(MptcpSocketOptions.MPTCP_SCHEDULER, "redundant"))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("net.mptcp.scheduler");
            assertThatThrownBy(() -> s.setOption(MptcpSocketOptions.MPTCP_ENDPOINTS, List.of()))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("ip mptcp endpoint");
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits for something the kernel does in the background (a join, an ACK), at most 10 s. */
    private static void awaitUntil(Condition c) throws Exception {
        for (int i = 0; i < 1000 && !c.holds(); i++) {
            Thread.sleep(10);
        }
    }

    /** A virtual thread in a native call is RUNNABLE (and pinned); its stack shows where. */
    private static boolean blockedInRead(Thread t) {
        for (StackTraceElement e : t.getStackTrace()) {
            if (e.getClassName().contains("KernelSocketImpl$In")) {
                return true;
            }
        }
        return false;
    }
}
