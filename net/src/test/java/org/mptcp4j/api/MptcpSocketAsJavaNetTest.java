package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.mptcp.MptcpConnection;

/** MptcpSocket and MptcpServerSocket where java.net.Socket and ServerSocket are expected. */
class MptcpSocketAsJavaNetTest {
    private static final long SEED = 42;
    private LoopbackPair pair;

    @BeforeEach
    void start() throws Exception {
        pair = new LoopbackPair(SEED);
    }

    @AfterEach
    void stop() throws Exception {
        pair.close();
    }

    @Test
    void connectedPair_addressesPortsAndStateAsJavaNet() throws Exception {
        try (ServerSocket listener = pair.listen(); Socket s = new MptcpSocket(pair.client)) {
            assertThat(s.isBound()).isFalse();
            assertThat(s.isConnected()).isFalse();
            assertThat(s.getInetAddress()).isNull();
            assertThat(s.getLocalPort()).isEqualTo(-1);
            s.connect(listener.getLocalSocketAddress(), 5_000);
            try (Socket accepted = listener.accept()) {
                assertThat(s.isBound()).isTrue();
                assertThat(s.isConnected()).isTrue();
                assertThat(s.getInetAddress()).isEqualTo(LoopbackPair.SERVER);
                assertThat(s.getPort()).isEqualTo(listener.getLocalPort());
                assertThat(s.getLocalAddress()).isEqualTo(LoopbackPair.CLIENT);
                assertThat(accepted.getInetAddress()).isEqualTo(LoopbackPair.CLIENT);
                assertThat(accepted.getPort()).isEqualTo(s.getLocalPort());
                assertThat(accepted.getLocalAddress()).isEqualTo(LoopbackPair.SERVER);
                assertThat(accepted.getLocalPort()).isEqualTo(listener.getLocalPort());
                assertThat(accepted.getRemoteSocketAddress()).isEqualTo(s.getLocalSocketAddress());
                assertThat(accepted).isInstanceOf(MptcpSocket.class);
            }
            s.close();
            assertThat(s.isClosed()).isTrue();
            assertThat(s.isConnected()).as("java.net: still says it was connected").isTrue();
        }
    }

    @Test
    void halfClose_shutdownOutputEndsThePeersStream_shutdownInputEndsOurs() throws Exception {
        try (MptcpServerSocket listener = pair.listen();
             MptcpSocket s = MptcpSocket.connect(pair.client, listener.getLocalSocketAddress(), 5_000);
             MptcpSocket accepted = listener.accept()) {
            s.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertThat(s.isOutputShutdown()).isTrue();
            assertThat(new String(accepted.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("request");
            accepted.getOutputStream().write("reply".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().readNBytes(5)).isEqualTo("reply".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            s.shutdownInput();
            accepted.getOutputStream().write("more".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.read()).as("java.net: end of stream after shutdownInput").isEqualTo(-1);
            assertThatThrownBy(() -> s.getOutputStream().write(1)).isInstanceOf(java.net.SocketException.class);
        }
    }

    @Test
    void dataArrived_availableCountsIt_andSoTimeoutEndsAnIdleRead() throws Exception {
        try (MptcpServerSocket listener = pair.listen();
             MptcpSocket s = MptcpSocket.connect(pair.client, listener.getLocalSocketAddress(), 5_000);
             MptcpSocket accepted = listener.accept()) {
            accepted.setSoTimeout(100);
            assertThat(accepted.getSoTimeout()).isEqualTo(100);
            assertThatThrownBy(() -> accepted.getInputStream().read()).isInstanceOf(SocketTimeoutException.class)
                    .hasMessageContaining("Read timed out");
            s.getOutputStream().write(new byte[300]);
            InputStream in = accepted.getInputStream();
            for (int i = 0; i < 5000 && in.available() < 300; i++) {
                Thread.sleep(1);
            }
            assertThat(in.available()).isEqualTo(300);
            assertThat(in.readNBytes(300)).hasSize(300);
            assertThat(in.available()).isZero();
        }
    }

    @Test
    void standardAndMptcpOptions_setAndReadBack() throws Exception {
        try (MptcpServerSocket listener = pair.listen();
             MptcpSocket s = MptcpSocket.connect(pair.client, listener.getLocalSocketAddress(), 5_000)) {
            assertThat(s.supportedOptions()).contains(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_SNDBUF,
                    MptcpSocketOptions.MPTCP_INFO);
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertThat(s.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            s.setOption(StandardSocketOptions.SO_SNDBUF, 1 << 20);
            s.setReceiveBufferSize(1 << 19);
            assertThat(s.getSendBufferSize()).isEqualTo(1 << 20);
            assertThat(s.getOption(StandardSocketOptions.SO_RCVBUF)).isEqualTo(1 << 19);
            s.setSoLinger(true, 5);
            assertThat(s.getSoLinger()).isEqualTo(5);
            assertThat(s.getKeepAlive()).as("the host's default: keepalive off").isFalse();
            assertThatThrownBy(() -> s.setKeepAlive(true)).isInstanceOf(java.net.SocketException.class)
                    .hasMessageContaining("StackConfig");
            assertThat(s.getOption(MptcpSocketOptions.MPTCP_ENABLED)).isTrue();
            assertThat(s.getOption(MptcpSocketOptions.MPTCP_SCHEDULER)).isEqualTo("default");
            s.setOption(MptcpSocketOptions.MPTCP_SCHEDULER, "ecf");
            assertThat(s.getOption(MptcpSocketOptions.MPTCP_SCHEDULER)).as("the socket's own, connected").isEqualTo("ecf");
            assertThatThrownBy(() -> s.setOption(MptcpSocketOptions.MPTCP_SCHEDULER, "fastest"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("roundrobin");
            assertThat(s.getOption(MptcpSocketOptions.MPTCP_INFO).mode()).isEqualTo(MptcpConnection.Mode.MPTCP);
            assertThat(s.getOption(MptcpSocketOptions.TCP_INFO).state()).isEqualTo(org.mptcp4j.tcp.TcpState.ESTABLISHED);
            assertThatThrownBy(() -> s.setOption(MptcpSocketOptions.MPTCP_CHECKSUM, true))
                    .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("StackConfig");
            assertThatThrownBy(() -> s.setOption(StandardSocketOptions.IP_TOS, 4))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void socketFactory_makesConnectedMptcpSockets() throws Exception {
        SocketFactory factory = new MptcpSocketFactory(pair.client);
        try (MptcpServerSocket listener = pair.listen();
             Socket s = factory.createSocket(LoopbackPair.SERVER, listener.getLocalPort());
             Socket accepted = listener.accept()) {
            assertThat(s).isInstanceOf(MptcpSocket.class);
            s.getOutputStream().write(7);
            assertThat(accepted.getInputStream().read()).isEqualTo(7);
        }
    }

    @Test
    void tlsThroughSslSocketFactory_layeredOnMptcpSockets_echoes() throws Exception {
        SSLContext tls = selfSignedContext();
        try (MptcpServerSocket listener = pair.listen()) {
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                try (MptcpSocket raw = listener.accept();
                     SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, null, raw.getPort(), true)) {
                    s.setUseClientMode(false);
                    byte[] line = s.getInputStream().readNBytes(12);
                    s.getOutputStream().write(line);
                    s.getOutputStream().flush();
                    return s.getSession().getProtocol();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            MptcpSocket raw = MptcpSocket.connect(pair.client, listener.getLocalSocketAddress(), 5_000);
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, "localhost", raw.getPort(), true)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write("hello, TLS\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("hello, TLS\r\n");
                assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }
            assertThat(raw.isClosed()).as("autoClose closes the MptcpSocket under the SSLSocket").isTrue();
            assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo("TLSv1.3");
        }
    }

    /** Key and trust from the test keystore: one self-signed EC certificate for CN=localhost. */
    private static SSLContext selfSignedContext() throws Exception {
        char[] password = "changeit".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = MptcpSocketAsJavaNetTest.class.getResourceAsStream("tls-test.p12")) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext c = SSLContext.getInstance("TLSv1.3");
        c.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return c;
    }
}
