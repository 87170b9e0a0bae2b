package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.tcp.TcpState;

/** Two stacks in memory: handshakes, transfers, closes and refusals end to end through the codec. */
class StackPairTest {

    @Test
    void handshake_thenOneMegabyte_arrivesIntact() {
        // Plain TCP: the RTT and MSS asserted are TCP's own (MptcpPairTest covers MPTCP).
        Pair pair = new Pair(StackConfig.defaults().withMptcpEnabled(false), 1);
        Transfer t = new Transfer(pair, 1 << 20, 42).run(Nanos.ofSeconds(30));
        assertThat(t.received()).isEqualTo(1 << 20);
        assertThat(t.receivedSha256()).isEqualTo(t.sentSha256());
        assertThat(pair.clientEvents).first().isEqualTo(new StackEvent.Connected(t.clientConn));
        assertThat(pair.server.mib().get(MibCounter.TCP_CURR_ESTAB)).isEqualTo(1); // CLOSE_WAIT counts
        ConnectionInfo info = pair.client.info(t.clientConn);
        assertThat(info.sack()).isTrue();
        assertThat(info.timestamps()).isTrue();
        assertThat(info.mss()).isEqualTo(1448);
        assertThat(info.srttNanos()).isBetween(Nanos.ofMillis(9), Nanos.ofMillis(12));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void lossAndReordering_streamArrivesIntact(long seed) {
        Pair pair = new Pair(StackConfig.defaults(), seed);
        pair.toServer.lossRate = 0.03;
        pair.toClient.lossRate = 0.03;
        pair.toServer.reorderRate = 0.05;
        pair.toServer.rateBps = 50_000_000;
        Transfer t = new Transfer(pair, 2 << 20, seed).run(Nanos.ofSeconds(300));
        assertThat(t.receivedSha256()).as("seed %d", seed).isEqualTo(t.sentSha256());
        assertThat(pair.client.mib().get(MibCounter.TCP_RETRANS_SEGS)).isPositive();
    }

    @Test
    void withoutSackOrTimestamps_newRenoRecovers() {
        StackConfig cfg = StackConfig.defaults().withSack(false).withTimestamps(false).withCongestionControl("reno");
        Pair pair = new Pair(cfg, 7);
        pair.toServer.lossRate = 0.02;
        pair.toServer.rateBps = 20_000_000;
        Transfer t = new Transfer(pair, 1 << 20, 7).run(Nanos.ofSeconds(300));
        assertThat(t.receivedSha256()).isEqualTo(t.sentSha256());
        assertThat(pair.client.mib().get(MibCounter.TCP_RENO_RECOVERY)).isPositive();
        assertThat(pair.client.mib().get(MibCounter.TCP_SACK_RECOVERY)).isZero();
    }

    @Test
    void connectToClosedPort_refused() {
        Pair pair = new Pair(StackConfig.defaults(), 1);
        ConnHandle c = pair.client.connect(0, null, new InetSocketAddress(Pair.SERVER_ADDR, 9));
        pair.driveUntil(() -> !pair.clientEvents.isEmpty(), Nanos.ofSeconds(1), 100);
        assertThat(pair.clientEvents).contains(new StackEvent.ConnectFailed(c, ResetReason.REFUSED));
        assertThat(pair.server.mib().get(MibCounter.TCP_OUT_RSTS)).isEqualTo(1);
    }

    @Test
    void connectToSilentHost_timesOut() {
        Pair pair = new Pair(StackConfig.defaults().withSynRetries(2), 1);
        pair.toServer.dropNext(100);
        ConnHandle c = pair.client.connect(0, null, pair.serverAddress());
        pair.driveUntil(() -> !pair.clientEvents.isEmpty(), Nanos.ofSeconds(60), 100);
        assertThat(pair.clientEvents).contains(new StackEvent.ConnectFailed(c, ResetReason.TIMED_OUT));
        assertThat(pair.now()).isEqualTo(Nanos.ofSeconds(7)); // 1 + 2 + 4 s of backoff
    }

    @Test
    void bothClose_closedEventsAndTimeWaitOnActiveCloser() {
        Pair pair = new Pair(StackConfig.defaults().withTimeWaitNanos(Nanos.ofSeconds(2)), 1);
        Transfer t = new Transfer(pair, 10_000, 1).run(Nanos.ofSeconds(10));
        pair.server.close(pair.now(), t.serverConn);
        pair.flush();
        pair.driveUntil(() -> pair.serverEvents.contains(new StackEvent.Closed(t.serverConn)), Nanos.ofSeconds(1), 1000);
        assertThat(pair.client.info(t.clientConn).state()).isEqualTo(TcpState.TIME_WAIT);
        pair.client.close(pair.now(), t.clientConn);
        pair.driveIdle(Nanos.ofSeconds(10));
        assertThat(pair.clientEvents).contains(new StackEvent.Closed(t.clientConn));
        assertThat(pair.client.connectionCount()).isZero();
        assertThat(pair.server.connectionCount()).isZero();
        assertThat(pair.client.mib().get(MibCounter.TCP_CURR_ESTAB)).isZero();
        assertThat(pair.server.mib().get(MibCounter.TCP_CURR_ESTAB)).isZero();
    }

    @Test
    void abort_peerSeesReset() {
        Pair pair = new Pair(StackConfig.defaults(), 1);
        Transfer t = new Transfer(pair, 1000, 1);
        pair.flush();
        pair.driveUntil(() -> { t.pump(); return t.serverConn != null; }, Nanos.ofSeconds(1), 1000);
        pair.client.abort(pair.now(), t.clientConn);
        pair.flush();
        pair.driveUntil(() -> pair.serverEvents.stream().anyMatch(e -> e instanceof StackEvent.Reset), Nanos.ofSeconds(1), 100);
        assertThat(pair.serverEvents).contains(new StackEvent.Reset(t.serverConn, ResetReason.RESET_BY_PEER));
        assertThat(pair.server.read(pair.now(), t.serverConn, ByteBuffer.allocate(10))).isEqualTo(-1);
    }

    @Test
    void listenBacklogFull_synDroppedAndCounted() {
        Pair pair = new Pair(StackConfig.defaults(), 1);
        pair.server.listen(pair.serverAddress(), 1);
        pair.client.connect(0, null, pair.serverAddress());
        pair.client.connect(0, null, pair.serverAddress());
        pair.flush();
        pair.driveIdle(Nanos.ofMillis(100));
        assertThat(pair.server.mib().get(MibCounter.TCP_LISTEN_OVERFLOWS)).isEqualTo(1);
    }

    /**
     * The peer writes and resets before the application accepts: as on Linux, accept() still
     * returns the connection (inet_csk_accept looks not at its state), a read gives the bytes that
     * came before the RST, then the reset is reported, and the handle goes once read to the end.
     * (A stack that dropped it made an accept racing the RST wait for ever.)
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void resetBeforeAccept_acceptReturnsIt_readGivesTheBytesThenTheReset(boolean mptcp) {
        Pair pair = new Pair(StackConfig.defaults().withMptcpEnabled(mptcp), 1);
        Unaccepted u = Unaccepted.on(pair);
        ListenerHandle listener = u.listener();
        ConnHandle c = u.client();
        assertThat(pair.client.write(pair.now(), c, ByteBuffer.wrap(new byte[1000]))).isEqualTo(1000);
        pair.flush();
        pair.driveIdle(Nanos.ofMillis(50)); // the bytes arrived, and nobody accepted the connection
        pair.client.abort(pair.now(), c);
        pair.flush();
        pair.driveIdle(Nanos.ofMillis(50));
        assertThat(pair.server.mib().get(mptcp ? MibCounter.MPTCP_FASTCLOSE_RX : MibCounter.TCP_ESTAB_RESETS))
                .as("the RST arrived: %s", pair.server.mib()).isEqualTo(1);

        ConnHandle accepted = pair.server.accept(listener);
        assertThat(accepted).isNotNull();
        pair.flush();
        assertThat(pair.serverEvents).contains(new StackEvent.Reset(accepted, ResetReason.RESET_BY_PEER));
        ByteBuffer into = ByteBuffer.allocate(2000);
        assertThat(pair.server.read(pair.now(), accepted, into)).isEqualTo(1000);
        assertThat(pair.server.read(pair.now(), accepted, into)).isEqualTo(-1);
        pair.flush();
        assertThat(pair.serverEvents).contains(new StackEvent.Closed(accepted));
        assertThat(pair.server.connectionCount()).isZero();
        assertThat(pair.server.accept(listener)).isNull();
    }

    @Test
    void resetBeforeAccept_closingTheListenerReleasesIt() {
        Pair pair = new Pair(StackConfig.defaults(), 1);
        Unaccepted u = Unaccepted.on(pair);
        ListenerHandle listener = u.listener();
        pair.client.abort(pair.now(), u.client());
        pair.flush();
        pair.driveIdle(Nanos.ofMillis(50));
        assertThat(pair.server.connectionCount()).as("kept for accept()").isEqualTo(1);

        pair.server.closeListener(pair.now(), listener);
        pair.flush();

        assertThat(pair.server.connectionCount()).isZero();
        assertThat(pair.serverEvents).noneMatch(e -> e instanceof StackEvent.Closed);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void closingTheListener_resetsAConnectionNotYetAccepted(boolean mptcp) {
        Pair pair = new Pair(StackConfig.defaults().withMptcpEnabled(mptcp), 1);
        Unaccepted u = Unaccepted.on(pair);
        ListenerHandle listener = u.listener();
        ConnHandle c = u.client();
        assertThat(pair.server.connectionCount()).isEqualTo(1);

        pair.server.closeListener(pair.now(), listener);
        pair.flush();
        pair.driveUntil(() -> pair.clientEvents.stream().anyMatch(e -> e instanceof StackEvent.Reset), Nanos.ofSeconds(1), 100);

        assertThat(pair.clientEvents).contains(new StackEvent.Reset(c, ResetReason.RESET_BY_PEER));
        assertThat(pair.server.mib().get(MibCounter.TCP_OUT_RSTS)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_FASTCLOSE_TX)).isEqualTo(mptcp ? 1 : 0);
        assertThatThrownBy(() -> pair.server.accept(listener)).as("the listener is gone")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomBytes_neverThrow_andAreCounted() {
        Stack s = new Stack(StackConfig.defaults(), org.mptcp4j.base.Rng.seeded(9));
        s.addAddress(Pair.SERVER_ADDR);
        org.mptcp4j.base.Rng rng = org.mptcp4j.base.Rng.seeded(10);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[rng.nextInt(80)];
            for (int j = 0; j < b.length; j++) {
                b[j] = (byte) rng.nextInt();
            }
            if (b.length > 0 && rng.chance(0.5)) {
                b[0] = 0x45;
            }
            s.handleInbound(i, ByteBuffer.wrap(b));
            s.pollTransmit(i, ByteBuffer.allocate(Stack.MAX_PACKET_BYTES));
        }
        assertThat(s.mib().snapshot().values().stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(20_000);
    }

    /** A connection the client opened and both ends hold as established, which nobody accepted yet. */
    private record Unaccepted(ListenerHandle listener, ConnHandle client) {
        static Unaccepted on(Pair pair) {
            ListenerHandle listener = pair.server.listen(pair.serverAddress(), 4);
            ConnHandle c = pair.client.connect(0, null, pair.serverAddress());
            pair.driveUntil(() -> pair.clientEvents.contains(new StackEvent.Connected(c)), Nanos.ofSeconds(1), 100);
            pair.driveIdle(Nanos.ofMillis(50)); // the third ACK arrived: established at both ends
            return new Unaccepted(listener, c);
        }
    }
}
