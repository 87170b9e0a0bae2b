package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mptcp4j.stack.ResetReason;
import org.mptcp4j.tcp.TcpState;

/**
 * What a Java developer hit with the first socket API (issue 16), each as the scenario that showed
 * it, now answered as java.net answers it.
 */
class MptcpSocketFailuresTest {
    private static final long SEED = 16;
    private static final InetAddress SILENT = InetAddress.ofLiteral("127.0.0.9");
    private static final InetAddress UNROUTED = InetAddress.ofLiteral("127.0.0.10");
    private LoopbackPair pair;
    private DatagramChannel silent;

    @BeforeEach
    void start() throws Exception {
        pair = new LoopbackPair(SEED);
        // SILENT maps to a UDP socket that never reads: a SYN to it goes unanswered.
        silent = DatagramChannel.open().bind(new InetSocketAddress(LoopbackPair.CLIENT, 0));
        pair.clientLink.addPeer(SILENT, (InetSocketAddress) silent.getLocalAddress());
    }

    @AfterEach
    void stop() throws Exception {
        pair.close();
        silent.close();
    }

    @Test
    void connectToSilentPeer_otherThreadCloses_connectThrowsSocketClosed() throws Exception {
        MptcpSocket s = new MptcpSocket(pair.client);
        CompletableFuture<Void> connecting = async(() -> s.connect(new InetSocketAddress(SILENT, 80)));
        awaitConnecting(s);
        s.close();
        assertThatThrownBy(() -> connecting.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SocketException.class).hasMessageContaining("Socket closed");
    }

    @Test
    void connectToSilentPeer_hostCloses_connectThrowsSocketClosed() throws Exception {
        MptcpSocket s = new MptcpSocket(pair.client);
        CompletableFuture<Void> connecting = async(() -> s.connect(new InetSocketAddress(SILENT, 80)));
        awaitConnecting(s);
        pair.client.close();
        assertThatThrownBy(() -> connecting.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SocketException.class).hasMessageContaining("Socket closed");
    }

    @Test
    void readBlockedOnIdleConnection_otherThreadCloses_readThrowsSocketClosed() throws Exception {
        try (MptcpServerSocket listener = pair.listen();
             MptcpSocket s = MptcpSocket.connect(pair.client, listener.getLocalSocketAddress(), 5_000);
             MptcpSocket accepted = listener.accept()) {
            InputStream in = s.getInputStream();
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            CompletableFuture<Integer> reading = async(() -> {
                reader.complete(Thread.currentThread());
                return in.read();
            });
            awaitParked(reader.get(5, TimeUnit.SECONDS));
            s.close();
            assertThatThrownBy(() -> reading.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(SocketException.class).hasMessage("Socket closed");
        }
    }

    @Test
    void peerResets_readThrowsConnectionReset_andInfoKeepsTheFinalStatistics() throws Exception {
        try (MptcpServerSocket listener = pair.listen();
             MptcpSocket s = MptcpSocket.connect(pair.client, listener.getLocalSocketAddress(), 5_000)) {
            try (MptcpSocket accepted = listener.accept()) {
                s.getOutputStream().write(new byte[1000]);
                assertThat(accepted.getInputStream().readNBytes(1000)).hasSize(1000);
                accepted.abort();
            }
            InputStream in = s.getInputStream();
            assertThatThrownBy(() -> in.read()).isInstanceOfSatisfying(MptcpResetException.class,
                    e -> assertThat(e.reason()).isEqualTo(ResetReason.RESET_BY_PEER));
            var info = s.info();
            assertThat(info).as("info after a reset").isNotNull();
            assertThat(info.bytesAcked()).as("the 1000 bytes, acknowledged before the reset").isGreaterThanOrEqualTo(1000);
            assertThat(info.error()).contains(ResetReason.RESET_BY_PEER);
            assertThat(s.mptcpInfo()).as("MPTCP info after a reset").isNotNull();
            assertThat(s.mptcpInfo().bytesAcked()).isEqualTo(1000);
        }
    }

    @Test
    void closedSocket_infoReturnsTheLastStatistics() throws Exception {
        try (MptcpServerSocket listener = pair.listen()) {
            MptcpSocket s = MptcpSocket.connect(pair.client, listener.getLocalSocketAddress(), 5_000);
            try (MptcpSocket accepted = listener.accept()) {
                s.getOutputStream().write(new byte[5000]);
                assertThat(accepted.getInputStream().readNBytes(5000)).hasSize(5000);
                s.close();
                assertThat(s.info()).as("info after close").isNotNull();
                assertThat(s.info().local()).isEqualTo(s.getLocalSocketAddress());
                assertThat(s.mptcpInfo().bytesSent()).isEqualTo(5000);
                // java.net reads no option of a closed socket; info() is how to get at the last statistics.
                assertThatThrownBy(() -> s.getOption(MptcpSocketOptions.TCP_INFO)).isInstanceOf(SocketException.class)
                        .hasMessage("Socket is closed");
            }
        }
    }

    @Test
    void freshHost_countersIncludeZeros() throws Exception {
        assertThat(pair.client.counters()).containsEntry("TcpRetransSegs", 0L).containsKey("MPTcpExtMPCapableSYNTX");
    }

    @Test
    void secondListenerOnAPortInUse_throwsBindException() throws Exception {
        try (MptcpServerSocket first = pair.listen()) {
            assertThatThrownBy(() -> new MptcpServerSocket(pair.server, first.getLocalSocketAddress(), 8))
                    .isInstanceOf(BindException.class).hasMessageContaining("Address already in use");
        }
    }

    @Test
    void listenOnPortZero_picksAFreeEphemeralPort_thatClientsReach() throws Exception {
        try (MptcpServerSocket a = pair.listen(); MptcpServerSocket b = pair.listen()) {
            int low = pair.server.config().ephemeralPortLow();
            int high = pair.server.config().ephemeralPortHigh();
            assertThat(a.getLocalPort()).isBetween(low, high).isNotEqualTo(b.getLocalPort());
            try (MptcpSocket s = MptcpSocket.connect(pair.client, b.getLocalSocketAddress(), 5_000);
                 MptcpSocket accepted = b.accept()) {
                assertThat(accepted.getLocalPort()).isEqualTo(b.getLocalPort());
                assertThat(s.getPort()).isEqualTo(b.getLocalPort());
            }
        }
    }

    @Test
    void unresolvedAddress_throwsUnknownHostException() throws Exception {
        try (MptcpSocket s = new MptcpSocket(pair.client)) {
            assertThatThrownBy(() -> s.connect(InetSocketAddress.createUnresolved("no-such-host.invalid", 80)))
                    .isInstanceOf(UnknownHostException.class).hasMessageContaining("no-such-host.invalid");
        }
    }

    @Test
    void negativeTimeouts_throwIllegalArgumentException() throws Exception {
        try (MptcpSocket s = new MptcpSocket(pair.client); MptcpServerSocket listener = pair.listen()) {
            assertThatThrownBy(() -> s.connect(listener.getLocalSocketAddress(), -1))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> s.setSoTimeout(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> listener.setSoTimeout(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void bindToAnAddressTheHostDoesNotOwn_throwsBindExceptionAtBind() throws Exception {
        InetSocketAddress foreign = new InetSocketAddress(InetAddress.ofLiteral("192.0.2.7"), 0);
        try (MptcpSocket s = new MptcpSocket(pair.client)) {
            assertThatThrownBy(() -> s.bind(foreign)).isInstanceOf(BindException.class)
                    .hasMessageContaining("Cannot assign requested address");
        }
        assertThatThrownBy(() -> new MptcpServerSocket(pair.server, foreign, 8)).isInstanceOf(BindException.class)
                .hasMessageContaining("Cannot assign requested address");
    }

    @Test
    void destinationWithoutRoute_connectFailsAtOnce() throws Exception {
        try (MptcpSocket s = new MptcpSocket(pair.client)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> s.connect(new InetSocketAddress(UNROUTED, 80)))
                    .isInstanceOf(NoRouteToHostException.class);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start))
                    .as("no SYN retransmissions were waited for").isLessThan(1);
            assertThat(s.isClosed()).as("a failed connect closes the socket, as in java.net").isTrue();
        }
    }

    @Test
    void newSocket_nagleOnLikeJavaNet_andTcpNoDelaySettable() throws Exception {
        try (MptcpServerSocket listener = pair.listen(); MptcpSocket s = new MptcpSocket(pair.client)) {
            assertThat(s.getTcpNoDelay()).isFalse();
            s.connect(listener.getLocalSocketAddress(), 5_000);
            try (MptcpSocket accepted = listener.accept()) {
                assertThat(accepted.getTcpNoDelay()).isFalse();
                s.setTcpNoDelay(true);
                assertThat(s.getTcpNoDelay()).isTrue();
                // Small writes in a row still arrive whole with either setting.
                for (int i = 0; i < 100; i++) {
                    s.getOutputStream().write(i);
                }
                assertThat(accepted.getInputStream().readNBytes(100)).hasSize(100);
            }
        }
    }

    /** Waits until {@code t} is parked (blocked in a read). */
    private static void awaitParked(Thread t) throws InterruptedException {
        for (int i = 0; i < 5000 && t.getState() != Thread.State.WAITING; i++) {
            Thread.sleep(1);
        }
        assertThat(t.getState()).isEqualTo(Thread.State.WAITING);
    }

    /** Waits until the socket has sent its SYN (its SYN_SENT is visible in info). */
    private static void awaitConnecting(MptcpSocket s) throws Exception {
        for (int i = 0; i < 500; i++) {
            try {
                if (s.info() != null && s.info().state() == TcpState.SYN_SENT) {
                    return;
                }
            } catch (SocketException notYet) {
                // not connecting yet
            }
            Thread.sleep(2);
        }
        throw new AssertionError("the socket never started connecting");
    }

    private interface Body<T> {
        T run() throws Exception;
    }

    private interface VoidBody {
        void run() throws Exception;
    }

    private static <T> CompletableFuture<T> async(Body<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(body.run());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    private static CompletableFuture<Void> async(VoidBody body) {
        return async(() -> {
            body.run();
            return null;
        });
    }
}
