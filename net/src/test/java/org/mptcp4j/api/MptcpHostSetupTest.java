package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.net.os.NetNamespace;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.support.TestNamespace;
import org.mptcp4j.stack.StackConfig;

/** The one-line setups of {@link MptcpHost}: a loopback pair, UDP hosts on one port, a TUN host by device name. */
class MptcpHostSetupTest {
    private static final byte[] HELLO = "hello, one line of setup".getBytes();

    @Test
    void loopbackPair_connectsClientToServer() throws Exception {
        try (MptcpHost.Pair hosts = MptcpHost.loopbackPair();
             MptcpServerSocket listener = new MptcpServerSocket(hosts.server(),
                     new InetSocketAddress(hosts.serverAddress(), 0), 8);
             MptcpSocket client = MptcpSocket.connect(hosts.client(),
                     new InetSocketAddress(hosts.serverAddress(), listener.getLocalPort()), 5_000)) {
            assertThat(echoOnce(listener, client)).isEqualTo(HELLO);
            assertThat(client.getLocalAddress()).isEqualTo(InetAddress.ofLiteral("127.0.0.1"));
            assertThat(client.mptcpInfo().mode()).isEqualTo(MptcpConnection.Mode.MPTCP);
        }
    }

    @Test
    void udpHostsOnOnePort_findEachOtherByAddress() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.ofLiteral("127.0.0.3"))) {
            port = probe.getLocalPort(); // free on 127.0.0.3; the hosts bind 127.0.0.3 and 127.0.0.4
        }
        InetAddress a = InetAddress.ofLiteral("127.0.0.3");
        InetAddress b = InetAddress.ofLiteral("127.0.0.4");
        try (MptcpHost server = MptcpHost.overUdp("a", StackConfig.defaults(), port, List.of(a));
             MptcpHost clientHost = MptcpHost.overUdp("b", StackConfig.defaults(), port, List.of(b));
             MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(a, 0), 8);
             MptcpSocket client = MptcpSocket.connect(clientHost, new InetSocketAddress(a, listener.getLocalPort()), 5_000)) {
            assertThat(echoOnce(listener, client)).isEqualTo(HELLO);
            assertThat(client.getLocalAddress()).isEqualTo(b);
        }
    }

    @Test
    void tunHostByDeviceName_servesTheKernelEngine() throws Exception {
        NetCapabilities.requireRootTunAndNamespaces();
        InetAddress kernelSide = InetAddress.ofLiteral("198.18.77.1");
        InetAddress ours = InetAddress.ofLiteral("198.18.77.2");
        try (TestNamespace ns = TestNamespace.create()) {
            MptcpHost tunHost = NetNamespace.call(ns.name(),
                    () -> MptcpHost.overTun("tun", StackConfig.defaults(), "m4jt0", List.of(ours)));
            try (tunHost) {
                ns.ip("addr", "add", kernelSide.getHostAddress() + "/24", "dev", "m4jt0");
                ns.ip("link", "set", "m4jt0", "up");
                MptcpHost kernel = MptcpHost.kernel();
                try (MptcpServerSocket listener = new MptcpServerSocket(tunHost, new InetSocketAddress(ours, 0), 8);
                     MptcpSocket client = NetNamespace.call(ns.name(), () -> MptcpSocket.connect(kernel,
                             new InetSocketAddress(ours, listener.getLocalPort()), 5_000))) {
                    assertThat(echoOnce(listener, client)).isEqualTo(HELLO);
                    assertThat(client.getLocalAddress()).isEqualTo(kernelSide);
                }
            }
            tunHost.close(); // a second close does nothing, as Socket.close's (try-with-resources closed it once)
            assertThat(tunHost.driver().isRunning()).isFalse();
        }
    }

    @Test
    void hostClosedTwice_secondCloseDoesNothing() throws Exception {
        MptcpHost.Pair hosts = MptcpHost.loopbackPair();
        hosts.close();
        hosts.close();
        hosts.client().close();
        assertThat(hosts.client().driver().isRunning()).isFalse();
        assertThat(hosts.server().driver().isRunning()).isFalse();
    }

    /** The client sends HELLO, the accepted connection echoes it back; what the client read. */
    private static byte[] echoOnce(MptcpServerSocket listener, Socket client) throws Exception {
        CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
            try (Socket s = listener.accept()) {
                s.getOutputStream().write(s.getInputStream().readNBytes(HELLO.length));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        client.getOutputStream().write(HELLO);
        byte[] back = client.getInputStream().readNBytes(HELLO.length);
        echo.get(10, TimeUnit.SECONDS);
        return back;
    }
}
