package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.tcp.TcpState;

/** Stack-level scenarios: IPv6, simultaneous open, TIME_WAIT reuse, a slow reader, ephemeral ports. */
class StackScenarioTest {

    @Test
    void ipv6_transferArrivesIntact_withSmallerMss() {
        Pair pair = new Pair(StackConfig.defaults(), StackConfig.defaults(), 5, true);
        Transfer t = new Transfer(pair, 300_000, 5).run(Nanos.ofSeconds(10));
        assertThat(t.receivedSha256()).isEqualTo(t.sentSha256());
        assertThat(pair.client.info(t.clientConn).mss()).isEqualTo(1440 - 12);
        assertThat(pair.toServer.mtuDrops + pair.toClient.mtuDrops).as("packets above the 1500-byte MTU").isZero();
    }

    @Test
    void simultaneousOpen_bothSidesConnect() {
        Pair pair = new Pair(StackConfig.defaults(), 1);
        ConnHandle a = pair.client.connect(0, new InetSocketAddress(Pair.CLIENT_ADDR, 7000),
                new InetSocketAddress(Pair.SERVER_ADDR, 8000));
        ConnHandle b = pair.server.connect(0, new InetSocketAddress(Pair.SERVER_ADDR, 8000),
                new InetSocketAddress(Pair.CLIENT_ADDR, 7000));
        pair.flush();
        pair.driveUntil(() -> pair.clientEvents.contains(new StackEvent.Connected(a))
                && pair.serverEvents.contains(new StackEvent.Connected(b)), Nanos.ofSeconds(1), 100);
        assertThat(pair.client.info(a).state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(pair.server.info(b).state()).isEqualTo(TcpState.ESTABLISHED);
        pair.client.write(pair.now(), a, ByteBuffer.wrap("ping".getBytes()));
        pair.flush();
        pair.driveUntil(() -> pair.serverEvents.contains(new StackEvent.Readable(b)), Nanos.ofSeconds(1), 100);
        ByteBuffer got = ByteBuffer.allocate(10);
        assertThat(pair.server.read(pair.now(), b, got)).isEqualTo(4);
    }

    @Test
    void timeWait_newerSynFromSamePort_reusesTheTuple() {
        Pair pair = new Pair(StackConfig.defaults(), 1);
        ListenerHandle l = pair.server.listen(pair.serverAddress(), 8);
        InetSocketAddress fixed = new InetSocketAddress(Pair.CLIENT_ADDR, 40000);
        ConnHandle c = pair.client.connect(0, fixed, pair.serverAddress());
        pair.flush();
        pair.driveUntil(() -> pair.serverEvents.contains(new StackEvent.Incoming(l)), Nanos.ofSeconds(1), 100);
        ConnHandle s = pair.server.accept(l);
        // The server closes first, so the server holds TIME_WAIT for the tuple.
        pair.server.close(pair.now(), s);
        pair.flush();
        pair.driveUntil(() -> pair.clientEvents.contains(new StackEvent.PeerClosed(c)), Nanos.ofSeconds(1), 100);
        pair.client.close(pair.now(), c);
        pair.flush();
        pair.driveUntil(() -> pair.clientEvents.contains(new StackEvent.Closed(c)), Nanos.ofSeconds(1), 100);
        assertThat(pair.server.info(s).state()).isEqualTo(TcpState.TIME_WAIT);
        ConnHandle c2 = pair.client.connect(pair.now() + Nanos.ofSeconds(1), fixed, pair.serverAddress());
        pair.flush();
        pair.driveUntil(() -> pair.serverEvents.stream().filter(e -> e.equals(new StackEvent.Incoming(l))).count() == 2,
                Nanos.ofSeconds(2), 100);
        assertThat(pair.clientEvents).contains(new StackEvent.Connected(c2));
        assertThat(pair.server.mib().get(MibCounter.TCP_TW_RECYCLED)).isEqualTo(1);
        assertThat(pair.server.accept(l)).isNotNull();
    }

    @Test
    void slowReader_zeroWindowProbes_thenWindowUpdateResumes() {
        StackConfig small = StackConfig.defaults().withReceiveBufferBytes(64 * 1024);
        Pair pair = new Pair(StackConfig.defaults(), small, 3);
        ListenerHandle l = pair.server.listen(pair.serverAddress(), 8);
        ConnHandle c = pair.client.connect(0, null, pair.serverAddress());
        byte[] data = new byte[300_000];
        new java.util.Random(1).nextBytes(data);
        ByteBuffer src = ByteBuffer.wrap(data);
        pair.flush();
        pair.driveUntil(() -> pair.clientEvents.contains(new StackEvent.Connected(c)), Nanos.ofSeconds(1), 100);
        pair.client.write(pair.now(), c, src);
        pair.flush();
        // Nobody reads for 5 seconds: the window closes and the sender probes it. It leaves a sliver
        // of less than a segment unfilled (silly window avoidance, RFC 9293 section 3.8.6.2.1).
        pair.driveIdle(Nanos.ofSeconds(5));
        ConnHandle s = pair.server.accept(l);
        assertThat(pair.client.info(c).sndWnd()).isLessThan(pair.client.info(c).mss());
        assertThat(pair.client.mib().get(MibCounter.TCP_WIN_PROBE)).isPositive();
        ByteBuffer got = ByteBuffer.allocate(data.length);
        pair.driveUntil(() -> {
            if (src.hasRemaining()) {
                pair.client.write(pair.now(), c, src);
            }
            pair.server.read(pair.now(), s, got);
            pair.flush();
            return !got.hasRemaining();
        }, Nanos.ofSeconds(30), 100_000);
        assertThat(got.array()).isEqualTo(data);
    }

    @Test
    void ephemeralPorts_distinctPerConnection() {
        Pair pair = new Pair(StackConfig.defaults(), 1);
        pair.server.listen(pair.serverAddress(), 64);
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            ConnHandle c = pair.client.connect(0, null, pair.serverAddress());
            ports.add(pair.client.info(c).local().getPort());
        }
        assertThat(ports).hasSize(20).allMatch(p -> p >= 32768 && p <= 60999);
    }

    @Test
    void resetAfterDataWasAcknowledged_applicationStillReadsEveryByte_thenTheReset() {
        Pair pair = new Pair(StackConfig.defaults(), 2);
        ListenerHandle l = pair.server.listen(pair.serverAddress(), 8);
        ConnHandle c = pair.client.connect(0, null, pair.serverAddress());
        pair.flush();
        pair.driveUntil(() -> pair.serverEvents.contains(new StackEvent.Incoming(l)), Nanos.ofSeconds(1), 100);
        ConnHandle s = pair.server.accept(l);
        byte[] data = new byte[50_000];
        new java.util.Random(2).nextBytes(data);
        pair.server.write(pair.now(), s, ByteBuffer.wrap(data));
        pair.flush();
        pair.driveUntil(() -> pair.server.info(s).bytesAcked() >= data.length, Nanos.ofSeconds(2), 1000);
        // The client has acknowledged everything but read nothing when the server resets.
        pair.server.abort(pair.now(), s);
        pair.flush();
        pair.driveUntil(() -> pair.clientEvents.stream().anyMatch(e -> e instanceof StackEvent.Reset), Nanos.ofSeconds(1), 100);
        pair.driveIdle(Nanos.ofMillis(100));
        ByteBuffer got = ByteBuffer.allocate(data.length + 10);
        while (got.hasRemaining()) {
            int n = pair.client.read(pair.now(), c, got);
            if (n <= 0) {
                assertThat(n).isEqualTo(-1);
                break;
            }
        }
        assertThat(got.flip()).isEqualTo(ByteBuffer.wrap(data));
        assertThat(pair.client.read(pair.now(), c, ByteBuffer.allocate(1))).isEqualTo(-1);
        pair.driveIdle(Nanos.ofMillis(10));
        assertThat(pair.clientEvents).contains(new StackEvent.Closed(c));
    }
}
