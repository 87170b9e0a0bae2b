package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.net.support.Payload.random;
import static org.mptcp4j.net.support.Payload.readN;
import static org.mptcp4j.net.support.Payload.sha256;
import static org.mptcp4j.net.support.Payload.write;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.Engine;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.net.os.NetNamespace;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.KernelMptcpSocket;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.stack.StackConfig;

/**
 * The two engines behind the same API talking to each other on the testbed: the kernel engine
 * ({@code MptcpHost.kernel()}, sockets in the kernel namespace) against the userspace engine
 * ({@code MptcpHost.overTun}, mptcp4j on the TUN), each as client and as server, with two
 * subflows; SHA-256 equal both ways, and what the kernel engine's {@code mptcpInfo()} reports is
 * what {@code ss -Mi} prints for the same socket and agrees with the userspace end's count.
 */
class KernelEngineInteropTest {
    private static final int BYTES = 20_000_000;
    private static Testbed testbed;
    private static KernelMptcp kernel;
    private MptcpHost userspace;

    @BeforeAll
    static void up() throws Exception {
        NetCapabilities.requireRootTunAndNamespaces();
        NetCapabilities.requireProgram("ss");
        testbed = Testbed.up(TestbedConfig.defaults(Testbed.newId()));
        kernel = KernelMptcp.in(testbed.layout().kernelNamespace());
    }

    @AfterAll
    static void down() throws Exception {
        if (testbed != null) {
            Testbed.down(testbed.config().id());
            testbed = null;
        }
    }

    @BeforeEach
    void kernelDefaults() throws Exception {
        kernel.setEnabled(true);
        kernel.flushEndpoints();
        kernel.setLimits(new KernelMptcp.Limits(8, 8));
    }

    @AfterEach
    void stopHost() throws Exception {
        if (userspace != null) {
            userspace.close(Duration.ofSeconds(2));
            userspace = null;
        }
    }

    private void startUserspace(StackConfig config) throws IOException {
        TestbedLayout l = testbed.layout();
        userspace = MptcpHost.overTun("userspace", config, testbed.openTun(),
                List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()));
    }

    private <T> T inKernelNamespace(java.util.concurrent.Callable<T> work) throws IOException {
        return NetNamespace.call(testbed.layout().kernelNamespace(), work);
    }

    @Test
    void kernelEngineClient_userspaceServer_twoSubflows_sha256EqualBothWays() throws Exception {
        TestbedLayout l = testbed.layout();
        kernel.addEndpoint(KernelMptcp.Endpoint.of(l.kernelAddressB().getHostAddress(), TestbedLayout.PATH_B_KERNEL_IF,
                KernelMptcp.Flag.SUBFLOW));
        startUserspace(StackConfig.defaults());
        MptcpHost kernelEngine = MptcpHost.kernel();
        try (MptcpServerSocket listener = new MptcpServerSocket(userspace, new InetSocketAddress(l.mptcp4jAddressA(), 0), 8);
             MptcpSocket client = inKernelNamespace(() -> MptcpSocket.connect(kernelEngine,
                     new InetSocketAddress(l.mptcp4jAddressA(), listener.getLocalPort()), 5_000));
             MptcpSocket server = listener.accept()) {
            exchange(client, server);

            MptcpInfo ours = server.mptcpInfo();
            MptcpInfo theirs = client.mptcpInfo();
            assertThat(client.engine()).isEqualTo(Engine.KERNEL);
            assertThat(server.engine()).isEqualTo(Engine.USERSPACE);
            assertThat(theirs.mode()).isEqualTo(MptcpConnection.Mode.MPTCP);
            assertThat(ours.mode()).isEqualTo(MptcpConnection.Mode.MPTCP);
            assertThat(theirs.subflows()).as("kernel engine's subflows").hasSize(2);
            assertThat(ours.subflows()).as("userspace engine's subflows").hasSize(2);
            assertThat(theirs.bytesSent()).isEqualTo(BYTES);
            assertThat(theirs.bytesReceived()).isEqualTo(ours.bytesSent()).isEqualTo(BYTES);
            assertThat(theirs.localToken()).as("the kernel's token is the one our peer knows it by")
                    .isEqualTo(ours.remoteToken());
            assertMatchesSs(client, theirs);
        }
    }

    @Test
    void userspaceClient_kernelEngineServer_twoSubflows_sha256EqualBothWays() throws Exception {
        TestbedLayout l = testbed.layout();
        startUserspace(StackConfig.defaults().withMptcp(MptcpConfig.defaults()
                .withEndpoints(List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW)))));
        MptcpHost kernelEngine = MptcpHost.kernel();
        try (MptcpServerSocket listener = inKernelNamespace(() -> new MptcpServerSocket(kernelEngine,
                     new InetSocketAddress(l.kernelAddressA(), 0), 8));
             MptcpSocket client = MptcpSocket.connect(userspace,
                     new InetSocketAddress(l.kernelAddressA(), listener.getLocalPort()), 5_000);
             MptcpSocket server = listener.accept()) {
            exchange(client, server);

            MptcpInfo ours = client.mptcpInfo();
            MptcpInfo theirs = server.mptcpInfo();
            assertThat(theirs.mode()).isEqualTo(MptcpConnection.Mode.MPTCP);
            assertThat(theirs.subflows()).as("kernel engine's subflows").hasSize(2);
            assertThat(ours.subflows()).as("userspace engine's subflows").hasSize(2);
            assertThat(theirs.bytesReceived()).isEqualTo(ours.bytesSent()).isEqualTo(BYTES);
            assertThat(theirs.bytesSent()).isEqualTo(BYTES);
            assertThat(theirs.localToken()).isEqualTo(ours.remoteToken());
            assertMatchesSs(server, theirs);
        }
    }

    @Test
    void kernelEngineClient_namespaceWithMptcpDisabled_plainTcpToUserspaceServer() throws Exception {
        TestbedLayout l = testbed.layout();
        kernel.setEnabled(false);
        startUserspace(StackConfig.defaults());
        MptcpHost kernelEngine = MptcpHost.kernel();
        try (MptcpServerSocket listener = new MptcpServerSocket(userspace, new InetSocketAddress(l.mptcp4jAddressA(), 0), 8);
             MptcpSocket client = inKernelNamespace(() -> MptcpSocket.connect(kernelEngine,
                     new InetSocketAddress(l.mptcp4jAddressA(), listener.getLocalPort()), 5_000));
             MptcpSocket server = listener.accept()) {
            exchange(client, server);
            assertThat(client.mptcpInfo().mode()).as("the kernel engine reports TCP").isEqualTo(MptcpConnection.Mode.PLAIN);
            assertThat(client.fallbackReason()).hasValueSatisfying(r -> assertThat(r).contains("IPPROTO_MPTCP"));
            assertThat(server.mptcpInfo().mode()).as("our server saw no MP_CAPABLE").isEqualTo(MptcpConnection.Mode.PLAIN);
            assertThat(kernel.mptcpSockets()).as("ss -Mi in the kernel namespace").isEmpty();
        }
    }

    /** BYTES each way at once, then each side checks what it got by SHA-256; the sockets stay open. */
    private static void exchange(Socket a, Socket b) throws Exception {
        byte[] fromA = random(BYTES, 1);
        byte[] fromB = random(BYTES, 2);
        CompletableFuture<byte[]> atB = CompletableFuture.supplyAsync(() -> readN(b, BYTES));
        CompletableFuture<byte[]> atA = CompletableFuture.supplyAsync(() -> readN(a, BYTES));
        CompletableFuture<Void> sendB = CompletableFuture.runAsync(() -> write(b, fromB));
        write(a, fromA);
        sendB.get(60, TimeUnit.SECONDS);
        assertThat(sha256(atB.get(60, TimeUnit.SECONDS))).as("a -> b").isEqualTo(sha256(fromA));
        assertThat(sha256(atA.get(60, TimeUnit.SECONDS))).as("b -> a").isEqualTo(sha256(fromB));
    }

    /** The kernel engine's MPTCP_INFO against {@code ss -Mi} for the same socket (matched by token). */
    private static void assertMatchesSs(MptcpSocket s, MptcpInfo info) throws IOException {
        List<KernelMptcpSocket> all = kernel.mptcpSockets();
        KernelMptcpSocket ss = all.stream().filter(k -> k.token() == Integer.toUnsignedLong(info.localToken()))
                .findFirst().orElseThrow(() -> new AssertionError("token " + info.localToken() + " not in ss -Mi: " + all));
        assertThat(ss.local()).endsWith(":" + s.getLocalPort());
        assertThat(ss.additionalSubflows()).as("ss -Mi subflows").isEqualTo(info.subflows().size() - 1);
        assertThat(ss.fallback()).isFalse();
        if (ss.bytesSent() != 0) { // printed by an ss that knows Linux 6.5's mptcp_info
            assertThat(ss.bytesSent()).isEqualTo(info.bytesSent());
            assertThat(ss.bytesReceived()).isEqualTo(info.bytesReceived());
        }
    }
}
