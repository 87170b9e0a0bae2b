package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;

/**
 * Two mptcp4j stacks speaking MPTCP to each other through the codec: both ends send at once, under
 * loss, and what each reads hashes to what the other wrote; the handshake, joins and fallback are
 * seen in the connections' MPTCP_INFO and in the counters Linux would show.
 */
class MptcpPairTest {
    static final InetAddress CLIENT_SECOND = address("10.0.0.3");

    /** Each side writes {@code bytes} of a seeded stream, half-closes, and reads the other's to end of stream. */
    static final class Exchange {
        final Pair pair;
        final ListenerHandle listener;
        final ConnHandle client;
        ConnHandle server;
        final Side clientSide;
        Side serverSide;
        /** What the client writes. */
        final long bytes;
        /** What the server writes. */
        final long serverBytes;

        Exchange(Pair pair, long bytes) {
            this(pair, bytes, bytes);
        }

        /** The client writes {@code clientBytes}, the server {@code serverBytes}. */
        Exchange(Pair pair, long clientBytes, long serverBytes) {
            this(pair, clientBytes, serverBytes, pair.server.listen(pair.serverAddress(), 8));
        }

        /** Another connection to a listener an earlier exchange opened. */
        Exchange(Pair pair, long bytes, ListenerHandle listener) {
            this(pair, bytes, bytes, listener);
        }

        private Exchange(Pair pair, long clientBytes, long serverBytes, ListenerHandle listener) {
            this.pair = pair;
            this.bytes = clientBytes;
            this.serverBytes = serverBytes;
            this.listener = listener;
            this.client = pair.client.connect(pair.now(), null, pair.serverAddress());
            this.clientSide = new Side(pair.client, client, clientBytes, 1);
        }

        Exchange run(long maxNanos) {
            pair.flush();
            pair.driveUntil(this::pump, maxNanos, Long.MAX_VALUE);
            return this;
        }

        /** One round of application work on both sides; true once both have read to end of stream. */
        boolean pump() {
            if (server == null) {
                server = pair.server.accept(listener);
                if (server != null) {
                    serverSide = new Side(pair.server, server, serverBytes, 2);
                }
            }
            clientSide.pump(pair.now());
            if (serverSide != null) {
                serverSide.pump(pair.now());
            }
            pair.flush();
            return serverSide != null && clientSide.eof && serverSide.eof;
        }
    }

    static final class Side {
        final Stack stack;
        final ConnHandle conn;
        final long total;
        final Rng stream;
        final MessageDigest sent = sha256();
        final MessageDigest received = sha256();
        final ByteBuffer out = ByteBuffer.allocate(32 * 1024);
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long written;
        long read;
        boolean shutdown;
        boolean eof;

        Side(Stack stack, ConnHandle conn, long total, long seed) {
            this.stack = stack;
            this.conn = conn;
            this.total = total;
            this.stream = Rng.seeded(seed);
            out.limit(0);
        }

        void pump(long now) {
            while (written < total) {
                if (!out.hasRemaining()) {
                    int n = (int) Math.min(out.capacity(), total - written);
                    out.clear().limit(n);
                    for (int i = 0; i < n; i++) {
                        out.put(i, (byte) stream.nextInt());
                    }
                    sent.update(out.array(), 0, n);
                }
                int n = stack.write(now, conn, out);
                if (n <= 0) {
                    break;
                }
                written += n;
            }
            if (written == total && !out.hasRemaining() && !shutdown) {
                shutdown = true;
                stack.shutdownOutput(now, conn);
            }
            int n;
            while ((n = stack.read(now, conn, in.clear())) > 0) {
                received.update(in.array(), 0, n);
                read += n;
            }
            eof |= n < 0;
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void oneSubflow_bothWaysAtOnceUnderLoss_streamsIntact(long seed) {
        Pair pair = new Pair(StackConfig.defaults(), seed);
        lossy(pair, 0.01);
        Exchange x = new Exchange(pair, 2_000_000).run(Nanos.ofSeconds(300));
        assertIntact(x, seed);
        // Both ends send and read at once, so each is interactive (Linux's ping-pong mode) and the
        // DATA_ACK of a last short segment may wait for the delayed-ACK timer: let it come.
        MptcpInfo[] last = {pair.client.mptcpInfo(x.client)};
        pair.driveUntil(() -> {
            MptcpInfo now = pair.client.mptcpInfo(x.client);
            last[0] = now == null ? last[0] : now;
            return now == null || now.bytesAcked() == 2_000_000;
        }, Nanos.ofSeconds(1), Long.MAX_VALUE);
        MptcpInfo info = last[0];
        assertThat(info.mode()).as("seed %d", seed).isEqualTo(MptcpConnection.Mode.MPTCP);
        assertThat(info.bytesAcked()).as("seed %d: DATA_ACKed at the data level", seed).isEqualTo(2_000_000);
        assertThat(pair.client.mib().get(MibCounter.MPTCP_CAPABLE_SYNACK_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_CAPABLE_SYN_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_CAPABLE_ACK_RX)).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void clientSubflowEndpoint_joinsASecondSubflow_bothCarryData(long seed) {
        StackConfig clientConfig = StackConfig.defaults().withMptcp(StackConfig.defaults().mptcp()
                .withEndpoints(List.of(Endpoint.of(CLIENT_SECOND, 1, Endpoint.Flag.SUBFLOW))));
        Pair pair = new Pair(clientConfig, StackConfig.defaults(), seed);
        pair.client.addAddress(CLIENT_SECOND);
        lossy(pair, 0.005);
        Exchange x = new Exchange(pair, 4_000_000).run(Nanos.ofSeconds(300));
        assertIntact(x, seed);
        assertThat(pair.client.mib().get(MibCounter.MPTCP_JOIN_SYN_TX)).isEqualTo(1);
        assertThat(pair.client.mib().get(MibCounter.MPTCP_JOIN_SYNACK_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_SYN_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_ACK_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_JOIN_ACK_HMAC_FAILURE)).isZero();
    }

    @Test
    void joinedSubflow_carriesDataInBothDirections() {
        StackConfig clientConfig = StackConfig.defaults().withMptcp(StackConfig.defaults().mptcp()
                .withEndpoints(List.of(Endpoint.of(CLIENT_SECOND, 1, Endpoint.Flag.SUBFLOW))));
        Pair pair = new Pair(clientConfig, StackConfig.defaults(), 5);
        pair.client.addAddress(CLIENT_SECOND);
        lossy(pair, 0.002); // congestion windows fill, so the scheduler needs both subflows
        Exchange x = new Exchange(pair, 4_000_000);
        pair.flush();
        // Look while the connection is open: the subflows leave once both DATA_FINs are through.
        pair.driveUntil(() -> {
            x.pump();
            return x.clientSide.read > 3_000_000 && x.serverSide != null && x.serverSide.read > 3_000_000;
        }, Nanos.ofSeconds(60), Long.MAX_VALUE);
        MptcpInfo info = pair.client.mptcpInfo(x.client);
        assertThat(info.subflows()).hasSize(2);
        for (MptcpInfo.SubflowInfo s : info.subflows()) {
            assertThat(s.dataBytesSent()).as("data sent on %s", s.local()).isPositive();
            assertThat(s.dataBytesReceived()).as("data received on %s", s.local()).isPositive();
        }
    }

    @Test
    void serverWithMptcpDisabled_clientFallsBackToTcp() {
        Pair pair = new Pair(StackConfig.defaults(), StackConfig.defaults().withMptcpEnabled(false), 4);
        Exchange x = new Exchange(pair, 200_000).run(Nanos.ofSeconds(60));
        assertIntact(x, 4);
        assertThat(pair.client.mptcpInfo(x.client).mode()).isEqualTo(MptcpConnection.Mode.PLAIN);
        assertThat(pair.client.mib().get(MibCounter.MPTCP_CAPABLE_FALLBACK_SYNACK)).isEqualTo(1);
    }

    @Test
    void firstSegmentAfterTheHandshakeLost_bothEndsAgreeOnTheMode_nothingLost() {
        Pair pair = new Pair(StackConfig.defaults(), 6);
        int[] toServer = {0};
        pair.toServer.dropIf = bytes -> ++toServer[0] == 2; // the SYN passes; the third ACK or first data does not
        Exchange x = new Exchange(pair, 300_000).run(Nanos.ofSeconds(60));
        assertIntact(x, 6);
        boolean clientMptcp = pair.client.mptcpInfo(x.client).mode() == MptcpConnection.Mode.MPTCP;
        boolean serverMptcp = pair.server.mptcpInfo(x.server).mode() == MptcpConnection.Mode.MPTCP;
        assertThat(clientMptcp).isEqualTo(serverMptcp);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_CAPABLE_ACK_RX)
                + pair.server.mib().get(MibCounter.MPTCP_CAPABLE_FALLBACK_ACK)).isEqualTo(1);
    }

    /**
     * An abort (RFC 8684 section 3.5) resets the subflow with MP_FASTCLOSE and, beside it, MP_TCPRST
     * (reason 0, unspecified), as Linux sends its fastclose RST; mptcp_join.sh's fastclose cases
     * count both on both ends ({@code chk_fclose_nr 1 1}, {@code chk_rst_nr 1 1 invert}).
     */
    @Test
    void abort_resetCarriesFastcloseAndMpTcpRst_peerCountsBoth() {
        Pair pair = new Pair(StackConfig.defaults(), 8);
        List<TcpSegment> resets = new java.util.ArrayList<>();
        pair.toServer.dropIf = bytes -> {
            if (TcpPackets.decode(ByteBuffer.wrap(bytes)) instanceof DecodeResult.Ok<TcpPacket> ok
                    && ok.value().tcp().has(TcpFlags.RST)) {
                resets.add(ok.value().tcp());
            }
            return false;
        };
        Exchange x = new Exchange(pair, 100_000);
        pair.flush();
        pair.driveUntil(() -> { x.pump(); return x.serverSide != null && x.serverSide.read > 0; }, Nanos.ofSeconds(5),
                Long.MAX_VALUE);
        pair.driveIdle(Nanos.ofMillis(100)); // nothing in flight: the RST lands on the server's RCV.NXT

        pair.client.abort(pair.now(), x.client);
        pair.flush();
        pair.driveIdle(Nanos.ofSeconds(1));

        assertThat(resets).singleElement().satisfies(rst -> {
            assertThat(rst.option(MptcpOption.MpFastclose.class)).isPresent();
            assertThat(rst.option(MptcpOption.MpTcpRst.class)).hasValueSatisfying(
                    r -> assertThat(r.reason()).isEqualTo(MptcpOption.MpTcpRst.REASON_UNSPECIFIED));
        });
        assertThat(pair.client.mib().get(MibCounter.MPTCP_FASTCLOSE_TX)).isEqualTo(1);
        assertThat(pair.client.mib().get(MibCounter.MPTCP_RST_TX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_FASTCLOSE_RX)).isEqualTo(1);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_RST_RX)).isEqualTo(1);
        assertThat(pair.serverEvents).contains(new StackEvent.Reset(x.server, ResetReason.RESET_BY_PEER));
    }

    static void lossy(Pair pair, double loss) {
        for (Pair.Link l : new Pair.Link[] {pair.toServer, pair.toClient}) {
            l.lossRate = loss;
            l.rateBps = 50_000_000;
        }
    }

    static void assertIntact(Exchange x, long seed) {
        assertThat(x.serverSide.read).as("seed %d: bytes at the server", seed).isEqualTo(x.bytes);
        assertThat(x.clientSide.read).as("seed %d: bytes at the client", seed).isEqualTo(x.bytes);
        assertThat(hex(x.serverSide.received)).as("seed %d: client to server", seed).isEqualTo(hex(x.clientSide.sent));
        assertThat(hex(x.clientSide.received)).as("seed %d: server to client", seed).isEqualTo(hex(x.serverSide.sent));
        assertThat(x.pair.toServer.mtuDrops + x.pair.toClient.mtuDrops).as("seed %d: packets above the MTU", seed)
                .isZero();
    }

    private static String hex(MessageDigest d) {
        try {
            return HexFormat.of().formatHex(((MessageDigest) d.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
