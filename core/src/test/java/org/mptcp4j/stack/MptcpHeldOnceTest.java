package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.crypto.MptcpCrypto;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.mptcp.Subflow;
import org.mptcp4j.tcp.SendQueue;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;

/**
 * MPTCP holds the data it sends once: the connection keeps what the peer has not DATA_ACKed (it
 * must, to reinject it), and its subflows send from there through their mappings instead of
 * keeping copies of their own. A subflow that must retransmit data the peer already DATA_ACKed
 * through another subflow still sends the right bytes: the connection holds them for it.
 */
class MptcpHeldOnceTest {
    private static final InetAddress CLIENT_SECOND = MptcpPairTest.CLIENT_SECOND;
    private static final long BYTES = 6_000_000;

    /** Two subflows carry a transfer under loss: their send queues fill, and never hold a byte of their own. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2})
    void twoSubflowsUnderLoss_subflowQueuesOnlyReferenceTheConnectionBuffer(long seed) {
        Pair pair = twoPaths(seed, false);
        pair.toServer.lossRate = 0.005;
        Transfer t = new Transfer(pair, BYTES, seed);
        int[] most = new int[2]; // the most bytes a subflow's queue held; the most it held copies of
        pair.flush();
        pair.driveUntil(() -> {
            t.pump();
            MptcpConnection m = pair.client.mptcpConnection(t.clientConn);
            if (m != null) {
                for (Subflow s : m.subflows()) {
                    SendQueue q = s.tcp().sendQueue();
                    most[0] = Math.max(most[0], q.length());
                    most[1] = Math.max(most[1], q.ownedBytes());
                }
            }
            return t.received() == BYTES;
        }, Nanos.ofSeconds(300), Long.MAX_VALUE);

        assertThat(t.receivedSha256()).as("seed %d", seed).isEqualTo(t.sentSha256());
        assertThat(pair.client.mptcpInfo(t.clientConn).subflows()).as("seed %d", seed).hasSize(2);
        assertThat(most[0]).as("seed %d: bytes queued on a subflow", seed).isGreaterThan(100_000);
        assertThat(most[1]).as("seed %d: bytes a subflow held a copy of", seed).isZero();
        assertThat(pair.client.mib().get(MibCounter.TCP_RETRANS_SEGS)).as("seed %d", seed).isPositive();
    }

    /**
     * Path B is cut mid-transfer; its data is reinjected on path A and DATA_ACKed there, and path B
     * comes back before B's retransmission timer fires again. B's TCP retransmits data the peer
     * already DATA_ACKed through A's copy: the connection held those bytes for it, and it reads them
     * from there. Every data segment the client sends, on either path, carries the bytes of the
     * stream at the DSNs its mapping names (checked on the wire, and by the server's DSS checksums).
     */
    @Test
    void pathCutThenBack_retransmissionsOfDataAckedBytesReadTheConnectionBuffer() {
        long byReference = 0;
        for (long seed : new long[] {4, 7, 10, 12}) {
            Wire wire = pathCutThenBack(seed, 0);
            assertThat(wire.dataAckedResentOnB).as("seed %d: segments on B, after it came back, of bytes already DATA_ACKed", seed)
                    .isPositive();
            byReference += wire.dataAckedResentOnBByReference;
        }
        assertThat(byReference).as("retransmissions of DATA_ACKed bytes read through the connection's buffer")
                .isPositive();
    }

    /**
     * Path B stays cut while B's TCP backs off twice: it would hold the DATA_ACKed bytes for minutes
     * on a path that may never return, so it takes a copy of its queue and the connection lets them
     * go. When the path returns, its retransmissions carry the right bytes from that copy.
     */
    @ParameterizedTest
    @ValueSource(longs = {3, 5})
    void pathCutWhileItsSubflowBacksOff_itRetransmitsFromItsOwnCopy(long seed) {
        Wire wire = pathCutThenBack(seed, 2);
        assertThat(wire.mostOwnedOnB).as("seed %d: bytes B's queue held a copy of", seed).isPositive();
        assertThat(wire.dataAckedResentOnB).as("seed %d: segments on B, after it came back, of bytes already DATA_ACKed", seed)
                .isPositive();
    }

    /** The cut and return of path B, checked; B comes back once its RTO fired {@code rtosBeforeBack} times in a row. */
    private static Wire pathCutThenBack(long seed, int rtosBeforeBack) {
        Pair pair = twoPaths(seed, true);
        pair.toServer.lossRate = 0.002;
        byte[] stream = streamBytes(seed, BYTES);
        Wire wire = new Wire(pair, stream);
        boolean[] cut = {false};
        pair.toServer.dropIf = bytes -> {
            TcpPacket p = decode(bytes);
            wire.see(p);
            return cut[0] && p.ip().source().equals(CLIENT_SECOND);
        };
        pair.toClient.dropIf = bytes -> cut[0] && decode(bytes).ip().destination().equals(CLIENT_SECOND);
        Transfer t = new Transfer(pair, BYTES, seed);
        wire.conn = t.clientConn;
        pair.flush();
        pair.driveUntil(() -> {
            t.pump();
            return t.received() > BYTES / 4 && wire.dataOnB > 0;
        }, Nanos.ofSeconds(60), Long.MAX_VALUE);

        cut[0] = true;
        Subflow b = pathB(pair, t.clientConn);
        long sentAtCut = pair.client.mptcpInfo(t.clientConn).bytesSent();
        pair.driveUntil(() -> {
            t.pump();
            return pair.client.mib().get(MibCounter.MPTCP_RETRANS) > 0
                    && pair.client.mptcpInfo(t.clientConn).bytesAcked() >= sentAtCut
                    && b.tcp().consecutiveRtos() >= rtosBeforeBack;
        }, Nanos.ofSeconds(30), Long.MAX_VALUE);
        assertThat(b.tcp().sendQueue().length()).as("seed %d: B still holds data of its own to retransmit", seed)
                .isPositive();
        wire.pathBack = true;
        cut[0] = false;
        pair.driveUntil(() -> {
            t.pump();
            return t.received() == BYTES && b.tcp().sendQueue().length() == 0;
        }, Nanos.ofSeconds(120), Long.MAX_VALUE);
        t.run(Nanos.ofSeconds(60));
        System.out.printf("seed %d: %d data segments checked on the wire, %d on path B, %d of them after it came back"
                + " carrying bytes already DATA_ACKed (%d read through the connection's buffer); B's queue held a copy"
                + " of %d bytes at most%n", seed, wire.checked, wire.dataOnB, wire.dataAckedResentOnB,
                wire.dataAckedResentOnBByReference, wire.mostOwnedOnB);

        assertThat(t.receivedSha256()).as("seed %d", seed).isEqualTo(t.sentSha256());
        assertThat(wire.mismatched).as("seed %d: data segments whose bytes are not the stream's at their DSNs", seed)
                .isZero();
        assertThat(wire.checked).as("seed %d: data segments checked", seed).isGreaterThan(1000);
        assertThat(pair.server.mib().get(MibCounter.MPTCP_DATA_CSUM_ERR)).as("seed %d", seed).isZero();
        assertThat(pair.server.mib().get(MibCounter.MPTCP_DUPLICATE_DATA)).as("seed %d", seed).isPositive();
        return wire;
    }

    private static Subflow pathB(Pair pair, ConnHandle conn) {
        for (Subflow s : pair.client.mptcpConnection(conn).subflows()) {
            if (s.tcp().local().getAddress().equals(CLIENT_SECOND)) {
                return s;
            }
        }
        throw new AssertionError("no subflow on path B");
    }

    /** The client's data segments as the wire sees them, checked against the stream. */
    private static final class Wire {
        final Pair pair;
        final byte[] stream;
        final Map<Integer, Integer> issByPort = new HashMap<>();
        ConnHandle conn;
        long firstDsn = -1;
        boolean pathBack;
        long checked;
        long mismatched;
        long dataOnB;
        long dataAckedResentOnB;
        long dataAckedResentOnBByReference;
        int mostOwnedOnB;

        Wire(Pair pair, byte[] stream) {
            this.pair = pair;
            this.stream = stream;
        }

        void see(TcpPacket p) {
            TcpSegment seg = p.tcp();
            if (seg.has(TcpFlags.SYN)) {
                issByPort.put(seg.srcPort(), seg.seq());
                return;
            }
            for (TcpOption o : seg.options()) {
                // The client's key travels on its third ACK (RFC 8684 section 3.1): its IDSN follows.
                if (o instanceof MptcpOption.MpCapable c && c.senderKey().isPresent()) {
                    firstDsn = MptcpCrypto.idsnOf(c.senderKey().getAsLong()) + 1;
                }
            }
            MptcpOption.DataSequenceMapping map = mapping(seg.options());
            if (seg.payloadLength() == 0 || map == null || map.dataLevelLength() == 0) {
                return;
            }
            int relSeq = Seq32.diff(seg.seq(), issByPort.get(seg.srcPort()));
            long offset = map.dsn() + Seq32.diff(relSeq, map.subflowSeq()) - firstDsn;
            ByteBuffer payload = seg.payload().duplicate();
            boolean same = true;
            for (int i = 0; payload.hasRemaining(); i++) {
                same &= payload.get() == stream[(int) offset + i];
            }
            checked++;
            mismatched += same ? 0 : 1;
            if (p.ip().source().equals(CLIENT_SECOND)) {
                dataOnB++;
                mostOwnedOnB = Math.max(mostOwnedOnB, pathB(pair, conn).tcp().sendQueue().ownedBytes());
                long acked = pair.client.mptcpInfo(conn).bytesAcked();
                if (pathBack && offset + seg.payloadLength() <= acked) {
                    dataAckedResentOnB++;
                    if (pathB(pair, conn).tcp().sendQueue().ownedBytes() == 0) {
                        dataAckedResentOnBByReference++;
                    }
                }
            }
        }
    }

    private static MptcpOption.DataSequenceMapping mapping(List<TcpOption> options) {
        for (TcpOption o : options) {
            if (o instanceof MptcpOption.Dss d && d.mapping().isPresent()) {
                return d.mapping().get();
            }
        }
        return null;
    }

    /** A client with a second address (path B, a subflow endpoint) and a server, both at 50 Mbit/s. */
    private static Pair twoPaths(long seed, boolean checksums) {
        StackConfig server = StackConfig.defaults().withMptcp(StackConfig.defaults().mptcp().withChecksumRequired(checksums));
        StackConfig client = server.withMptcp(server.mptcp()
                .withEndpoints(List.of(Endpoint.of(CLIENT_SECOND, 1, Endpoint.Flag.SUBFLOW))));
        Pair pair = new Pair(client, server, seed);
        pair.client.addAddress(CLIENT_SECOND);
        pair.toServer.rateBps = 50_000_000;
        pair.toClient.rateBps = 50_000_000;
        return pair;
    }

    /** The bytes {@link Transfer} writes for {@code seed}: little-endian longs of the seeded stream. */
    private static byte[] streamBytes(long seed, long total) {
        Rng rng = Rng.seeded(seed);
        byte[] b = new byte[(int) total];
        for (int i = 0; i < b.length; i += 8) {
            long v = rng.nextLong();
            for (int j = 0; j < 8 && i + j < b.length; j++) {
                b[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return b;
    }

    private static TcpPacket decode(byte[] bytes) {
        return ((DecodeResult.Ok<TcpPacket>) TcpPackets.decode(ByteBuffer.wrap(bytes))).value();
    }
}
