package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpResetException;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.net.emu.PathEmulator;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.stack.ResetReason;
import org.mptcp4j.stack.StackConfig;

/**
 * Two mptcp4j stacks on loopback addresses, TCP segments in UDP datagrams: unprivileged, so it always
 * runs. Transfers both ways with SHA-256 checks, FIN and RST both ways, refusal; one run through the
 * path emulator with delay and seeded loss so that recovery is exercised on a real clock.
 */
class UdpLoopbackInteropTest {
    private static final long BYTES = 20_000_000L;
    private static final long SEED = 77;
    private static final InetAddress CLIENT = ip("127.0.0.1");
    private static final InetAddress SERVER = ip("127.0.0.2");
    private static final int PORT = 5001;

    private MptcpHost client;
    private MptcpHost server;
    private UdpDriver clientLink;

    private void start(PathEmulator clientEgress, PathEmulator serverEgress) throws Exception {
        UdpDriver serverLink = UdpDriver.builder().local(SERVER, 0).open();
        clientLink = UdpDriver.builder().local(CLIENT, 0).peer(SERVER, serverLink.localSocketAddress(SERVER)).open();
        serverLink.addPeer(CLIENT, clientLink.localSocketAddress(CLIENT));
        server = MptcpHost.start("udp-server", StackConfig.defaults(), new SplitMix64(SEED), serverLink, List.of(SERVER), serverEgress, null);
        client = MptcpHost.start("udp-client", StackConfig.defaults(), new SplitMix64(SEED + 1), clientLink, List.of(CLIENT), clientEgress, null);
    }

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void serverWritesClosesAndStopsAtOnce_clientStillReceivesEverything() throws Exception {
        start(null, null);
        CompletableFuture<Transfers.Result> received = new CompletableFuture<>();
        try (MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(SERVER, PORT), 8)) {
            Thread.ofVirtual().start(() -> {
                try (MptcpSocket s = new MptcpSocket(client)) {
                    s.connect(new InetSocketAddress(SERVER, PORT), 5_000);
                    s.setSoTimeout(30_000);
                    received.complete(Transfers.receive(s.getInputStream()));
                } catch (Exception e) {
                    received.completeExceptionally(e);
                }
            });
            Transfers.Result sent;
            try (MptcpSocket s = listener.accept()) {
                sent = Transfers.send(s.getOutputStream(), 4_000_000L, SEED);
            }
            // Most of the 4 MB still sits in the send buffer: stopping the host must deliver it first.
            server.close();
            server = null;
            Transfers.Result got = received.get(60, TimeUnit.SECONDS);
            assertThat(got.bytes()).isEqualTo(sent.bytes());
            assertThat(got.sha256()).isEqualTo(sent.sha256());
        }
    }

    @Test
    void clientToServer_andBack_equalSha256_onVirtualThreads() throws Exception {
        start(null, null);
        transferBothWays(BYTES);
    }

    @Test
    void fivePercentLossAndTwoMillisDelay_transferStillExact() throws Exception {
        PathEmulator lossy = new PathEmulator(new SplitMix64(SEED));
        lossy.configure(CLIENT, SERVER, LinkSpec.of(200_000_000, Nanos.ofMillis(2)).withLoss(LossModel.bernoulli(0.05)));
        PathEmulator back = new PathEmulator(new SplitMix64(SEED + 2));
        back.configure(SERVER, CLIENT, LinkSpec.of(200_000_000, Nanos.ofMillis(2)).withLoss(LossModel.bernoulli(0.01)));
        start(lossy, back);
        transferBothWays(5_000_000L);
        assertThat(client.driver().submit(() -> lossy.counters(CLIENT, SERVER).lost()).get(5, TimeUnit.SECONDS))
                .as("seed %d", SEED).isPositive();
    }

    @Test
    void serverAborts_clientSeesResetByPeer_andNoListener_isRefused() throws Exception {
        start(null, null);
        try (MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(SERVER, PORT), 8)) {
            CompletableFuture<Void> serverSide = CompletableFuture.runAsync(() -> {
                try (MptcpSocket s = listener.accept()) {
                    s.getInputStream().read(new byte[10]);
                    s.abort();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            try (MptcpSocket s = new MptcpSocket(client)) {
                s.connect(new InetSocketAddress(SERVER, PORT), 10_000);
                s.setSoTimeout(20_000);
                s.getOutputStream().write(new byte[10]);
                InputStream in = s.getInputStream();
                assertThatThrownBy(() -> in.read(new byte[10])).isInstanceOfSatisfying(MptcpResetException.class,
                        e -> assertThat(e.reason()).isEqualTo(ResetReason.RESET_BY_PEER));
            }
            serverSide.get(20, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> {
            try (MptcpSocket s = new MptcpSocket(client)) {
                s.connect(new InetSocketAddress(SERVER, PORT + 1), 10_000);
            }
        }).isInstanceOf(ConnectException.class).hasMessageContaining("Connection refused");
    }

    @Test
    void idleConnection_readAndAcceptTimeOut_andSilentPeer_connectTimesOut() throws Exception {
        start(null, null);
        try (MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(SERVER, PORT), 8)) {
            listener.setSoTimeout(200);
            assertThatThrownBy(listener::accept).isInstanceOf(java.net.SocketTimeoutException.class);
            listener.setSoTimeout(10_000);
            try (MptcpSocket s = new MptcpSocket(client)) {
                s.connect(new InetSocketAddress(SERVER, PORT), 10_000);
                try (MptcpSocket accepted = listener.accept()) {
                    accepted.setSoTimeout(200);
                    assertThatThrownBy(() -> accepted.getInputStream().read())
                            .isInstanceOf(java.net.SocketTimeoutException.class).hasMessageContaining("Read timed out");
                    // The connection survives a read timeout, as with java.net.Socket.
                    s.getOutputStream().write(42);
                    assertThat(accepted.getInputStream().read()).isEqualTo(42);
                }
            }
        }
        // 127.0.0.9 maps to a UDP socket that never reads: the SYN goes nowhere.
        try (java.nio.channels.DatagramChannel silent = java.nio.channels.DatagramChannel.open()
                .bind(new InetSocketAddress(CLIENT, 0))) {
            clientLink.addPeer(ip("127.0.0.9"), (InetSocketAddress) silent.getLocalAddress());
            try (MptcpSocket s = new MptcpSocket(client)) {
                assertThatThrownBy(() -> s.connect(new InetSocketAddress(ip("127.0.0.9"), PORT), 300))
                        .isInstanceOf(java.net.SocketTimeoutException.class);
            }
        }
    }

    private void transferBothWays(long bytes) throws Exception {
        try (MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(SERVER, PORT), 8)) {
            listener.setSoTimeout(20_000);
            CompletableFuture<Transfers.Result[]> serverSide = CompletableFuture.supplyAsync(() -> {
                try (MptcpSocket s = listener.accept()) {
                    Transfers.Result got = Transfers.receive(s.getInputStream());
                    Transfers.Result sent = Transfers.send(s.getOutputStream(), bytes, SEED + 10);
                    return new Transfers.Result[] {got, sent};
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            Transfers.Result sent;
            Transfers.Result got;
            try (MptcpSocket s = new MptcpSocket(client)) {
                s.connect(new InetSocketAddress(SERVER, PORT), 10_000);
                sent = Transfers.send(s.getOutputStream(), bytes, SEED);
                s.shutdownOutput();
                got = Transfers.receive(s.getInputStream());
                assertThat(s.info().bytesReceived()).isEqualTo(bytes);
            }
            Transfers.Result[] serverResults = serverSide.get(120, TimeUnit.SECONDS);
            assertThat(serverResults[0].bytes()).isEqualTo(bytes);
            assertThat(serverResults[0].sha256()).as("server received what the client sent (seed %d)", SEED).isEqualTo(sent.sha256());
            assertThat(got.bytes()).isEqualTo(bytes);
            assertThat(got.sha256()).as("client received what the server sent (seed %d)", SEED).isEqualTo(serverResults[1].sha256());
        }
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
