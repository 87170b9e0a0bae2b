package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.stack.Exchange;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpPacket;

/**
 * DSS checksums (RFC 8684 section 3.3.1) against a middlebox that rewrites payload: the client
 * requires checksums, and once a third of each stream has arrived, one byte of the next data
 * segment the server sends on one path is inverted on its way to the client (the TCP checksum
 * made right again, as a rewriting middlebox would). What follows is section 3.7: with two
 * subflows the affected one is reset with MP_FAIL and the data goes again on the other; with one
 * subflow MP_FAIL is answered by an infinite mapping and both ends carry on as plain TCP.
 */
class MptcpChecksumTest {
    private static final long BYTES = 4L << 20;

    static MptcpScenario scenario(long seed, PathSpec... paths) {
        return new MptcpScenario(seed, BYTES, paths, bed -> StackConfig.defaults().withMptcp(MptcpConfig.defaults()
                .withChecksumRequired(true).withEndpoints(MptcpScenario.subflowEndpoints(bed))
                .withLimits(new Limits(Math.max(1, paths.length - 1), 0))), StackConfig.defaults());
    }

    /** The data segment that the middlebox altered: where, and which byte. */
    static final class Corruption {
        boolean armed;
        int senderIss;
        int seq;
        int index;
        int count;
    }

    /**
     * Arms a rule in front of a host ({@code tamper}): once armed, the next data segment to its
     * address {@code toAddress} gets its byte at index 100 (or its last) inverted. It also notes
     * the sender's ISN on that path, from its SYN or SYN-ACK.
     */
    static Corruption invertOneByte(Tamper tamper, String toAddress) {
        Corruption c = new Corruption();
        tamper.rule((now, p) -> {
            if (!p.ip().destination().getHostAddress().equals(toAddress)) {
                return p;
            }
            if (p.tcp().has(TcpFlags.SYN)) {
                c.senderIss = p.tcp().seq();
            }
            if (!c.armed || p.tcp().payloadLength() == 0) {
                return p;
            }
            c.armed = false;
            c.count++;
            ByteBuffer payload = ByteBuffer.allocate(p.tcp().payloadLength()).put(p.tcp().payload().duplicate()).flip();
            c.seq = p.tcp().seq();
            c.index = Math.min(100, payload.limit() - 1);
            payload.put(c.index, (byte) ~payload.get(c.index));
            return new TcpPacket(p.ip(), p.tcp().withPayload(payload));
        });
        return c;
    }

    /**
     * Nothing altered, over two lossy paths: every mapping is held until whole (retransmissions
     * fill the holes) and checks out, and both streams arrive unchanged, with no checksum error.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {85, 86})
    void lossyPaths_everyMappingChecksOut(long seed) {
        LossModel loss = LossModel.bernoulli(0.005);
        MptcpScenario s = scenario(seed, PathSpec.of(20_000_000, Duration.ofMillis(10)).withLoss(loss),
                PathSpec.of(20_000_000, Duration.ofMillis(15)).withLoss(loss));

        boolean done = s.run(Nanos.ofSeconds(600));

        s.assertIntact(done);
        s.assertEverySubflowCarriedDataBothWays(2);
        assertThat(s.droppedLoss()).as("%s", s).isPositive();
        assertThat(s.clientMib().get(MibCounter.MPTCP_DATA_CSUM_ERR)
                + s.serverMib().get(MibCounter.MPTCP_DATA_CSUM_ERR)).as("%s", s).isZero();
        assertThat(s.clientMib().get(MibCounter.MPTCP_MP_FAIL_TX)
                + s.serverMib().get(MibCounter.MPTCP_MP_FAIL_TX)).as("%s", s).isZero();
    }

    /**
     * Two subflows; the altered segment travels on path {@code index} (0: the initial subflow's,
     * 1: the joined one's). The client counts the bad checksum (MPTcpExtDataCsumErr), resets that
     * subflow with MP_FAIL and MP_TCPRST, delivers nothing of the bad mapping, and the server sends
     * it again on the other subflow since it was never DATA_ACKed: both streams arrive unchanged.
     */
    @ParameterizedTest(name = "path {0} altered")
    @ValueSource(ints = {0, 1})
    void twoSubflows_corruptedSubflowResetWithMpFail_dataCompletesOnTheOther(int index) {
        long seed = 80 + index;
        MptcpScenario s = scenario(seed, PathSpec.of(20_000_000, Duration.ofMillis(10)),
                PathSpec.of(20_000_000, Duration.ofMillis(15)));
        Corruption c = invertOneByte(s.clientTamper, s.bed.path(index).clientAddress());
        assertThat(s.runUntilRead(BYTES / 3, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        assertThat(s.clientInfo().subflows()).as("%s", s).hasSize(2);
        assertThat(s.clientInfo().checksums()).as("%s", s).isTrue();
        c.armed = true;

        boolean done = s.run(Nanos.ofSeconds(600));

        s.assertIntact(done);
        assertThat(c.count).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_DATA_CSUM_ERR)).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_MP_FAIL_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.clientMib().get(MibCounter.MPTCP_RST_TX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_MP_FAIL_RX)).as("the server took that RST; %s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_RST_RX)).as("%s", s).isEqualTo(1);
        assertThat(s.serverMib().get(MibCounter.MPTCP_DATA_CSUM_ERR)).as("%s", s).isZero();
        assertThat(s.clientMib().get(MibCounter.MPTCP_INFINITE_MAP_RX)
                + s.serverMib().get(MibCounter.MPTCP_INFINITE_MAP_TX)).as("no fallback; %s", s).isZero();
        assertThat(s.serverMib().get(MibCounter.MPTCP_RETRANS)).as("sent again; %s", s).isPositive();
        assertThat(s.client.failure()).as("%s", s).isNull();
        assertThat(s.server.failure()).as("%s", s).isNull();
    }

    /**
     * One subflow, the altered byte on its way to the client ({@code toClient}) or to the server:
     * the receiver sends MP_FAIL with the failed mapping's DSN, the sender answers with MP_FAIL
     * and an infinite mapping, and both fall back to TCP. As RFC 8684 section 3.7 has it
     * (the infinite mapping "acts retroactively" from the last DATA_ACKed byte, and from there on
     * "data can be altered by a middlebox without affecting MPTCP") and as Linux does (its
     * mptcp_join.sh "Infinite map" test expects the inverted bytes in the output), the altered
     * byte then reaches the application as plain TCP would deliver it; nothing is lost or repeated.
     */
    @ParameterizedTest(name = "to client {0}")
    @ValueSource(booleans = {true, false})
    void singleSubflow_mpFailAnsweredByInfiniteMapping_bothFallBackToTcp(boolean toClient) {
        assertFallbackToTcp(scenario(toClient ? 90 : 91, PathSpec.of(20_000_000, Duration.ofMillis(10))), toClient);
    }

    /**
     * On {@code s} (one subflow, checksums), one byte on its way to the client ({@code toClient})
     * or the server is inverted once a third of each stream has arrived; asserts what
     * {@link #singleSubflow_mpFailAnsweredByInfiniteMapping_bothFallBackToTcp} says.
     */
    static void assertFallbackToTcp(MptcpScenario s, boolean toClient) {
        Corruption c = toClient ? invertOneByte(s.clientTamper, s.bed.path(0).clientAddress())
                : invertOneByte(s.serverTamper, MultipathTestbed.SERVER_ADDRESS);
        Mib receiver = toClient ? s.clientMib() : s.serverMib();
        Mib sender = toClient ? s.serverMib() : s.clientMib();
        assertThat(s.runUntilRead(s.bytes / 3, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        assertThat(s.clientInfo().checksums()).as("%s", s).isTrue();
        c.armed = true;
        assertThat(s.sim.runUntil(() -> receiver.get(MibCounter.MPTCP_INFINITE_MAP_RX) > 0,
                s.sim.nowNanos() + Nanos.ofSeconds(10))).as("%s", s).isTrue();
        assertThat(s.clientInfo().mode()).as("%s", s).isEqualTo(MptcpConnection.Mode.FALLBACK);
        assertThat(s.serverEnd.stack().mptcpInfo(s.server.conn()).mode()).as("%s", s)
                .isEqualTo(MptcpConnection.Mode.FALLBACK);

        boolean done = s.run(Nanos.ofSeconds(600));

        assertThat(done).as("%s", s).isTrue();
        assertThat(c.count).as("%s", s).isEqualTo(1);
        long offset = Integer.toUnsignedLong(c.seq - c.senderIss - 1) + c.index; // data maps one to one from SSN 1
        Exchange altered = toClient ? s.client : s.server;
        Exchange intact = toClient ? s.server : s.client;
        long alteredSeed = toClient ? s.seed + 100 : s.seed;
        assertThat(altered.receivedSha256()).as("byte %d inverted; %s", offset, s)
                .isEqualTo(Exchange.sha256Of(alteredSeed, s.bytes, offset));
        assertThat(intact.receivedSha256()).as("the other way; %s", s).isEqualTo(altered.sentSha256());
        assertThat(s.client.bytesRead()).as("%s", s).isEqualTo(s.bytes);
        assertThat(s.server.bytesRead()).as("%s", s).isEqualTo(s.bytes);
        assertThat(receiver.get(MibCounter.MPTCP_DATA_CSUM_ERR)).as("%s", s).isEqualTo(1);
        assertThat(receiver.get(MibCounter.MPTCP_MP_FAIL_TX)).as("%s", s).isEqualTo(1);
        assertThat(sender.get(MibCounter.MPTCP_MP_FAIL_RX)).as("%s", s).isEqualTo(1);
        assertThat(sender.get(MibCounter.MPTCP_MP_FAIL_TX)).as("the answer; %s", s).isEqualTo(1);
        assertThat(receiver.get(MibCounter.MPTCP_MP_FAIL_RX)).as("%s", s).isEqualTo(1);
        assertThat(sender.get(MibCounter.MPTCP_INFINITE_MAP_TX)).as("%s", s).isEqualTo(1);
        assertThat(receiver.get(MibCounter.MPTCP_INFINITE_MAP_RX)).as("%s", s).isEqualTo(1);
        assertThat(sender.get(MibCounter.MPTCP_DATA_CSUM_ERR)).as("%s", s).isZero();
        assertThat(s.clientMib().get(MibCounter.MPTCP_RST_TX) + s.serverMib().get(MibCounter.MPTCP_RST_TX))
                .as("no subflow reset; %s", s).isZero();
        assertThat(s.client.failure()).as("%s", s).isNull();
        assertThat(s.server.failure()).as("%s", s).isNull();
    }
}
