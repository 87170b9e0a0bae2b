package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.BlackholePolicy;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.stack.MptcpPairTest.Exchange;

/**
 * A firewall on the path drops every SYN that carries an MPTCP option (RFC 8684 section 3.7's
 * middleboxes; what Linux 6.12's {@code syn_retrans_before_tcp_fallback} and
 * {@code blackhole_timeout} answer): the client sends its SYN and two retransmissions with
 * MP_CAPABLE, then plain SYNs, so the connection works as TCP after the third retransmission
 * instead of timing out; the plain SYN answered marks a blackhole and the stack's next connections
 * go out as plain TCP at once, until the period (doubled per repeat) is over.
 */
class MptcpBlackholeTest {
    private static final long TIMEOUT = Nanos.ofSeconds(60);

    private static StackConfig client(long timeoutNanos) {
        StackConfig d = StackConfig.defaults();
        return d.withMptcp(d.mptcp().withBlackhole(new BlackholePolicy(2, timeoutNanos)));
    }

    /** Drops every SYN (not SYN-ACK) carrying TCP option 30 (MPTCP) on its way to the server. */
    private static boolean synWithMptcpOption(byte[] p) {
        int ihl = (p[0] & 0x0F) * 4;
        int flags = p[ihl + 13] & 0xFF;
        if ((flags & 0x02) == 0 || (flags & 0x10) != 0) {
            return false;
        }
        int end = ihl + ((p[ihl + 12] & 0xF0) >> 4) * 4;
        for (int i = ihl + 20; i < end; ) {
            int kind = p[i] & 0xFF;
            if (kind == 0) {
                break;
            }
            if (kind == 1) {
                i++;
                continue;
            }
            if (kind == 30) {
                return true;
            }
            i += Math.max(2, p[i + 1] & 0xFF);
        }
        return false;
    }

    private ListenerHandle listener;

    /** A connection that moves 300 KB each way at once and closes; the server listens from the first on. */
    private Exchange transfer(Pair pair) {
        if (listener == null) {
            listener = pair.server.listen(pair.serverAddress(), 8);
        }
        return new Exchange(pair, 300_000, listener).run(Nanos.ofSeconds(120));
    }

    @Test
    void mpCapableSynsDropped_thirdRetransmissionGoesPlain_dataIntact_blackholeCounted() {
        Pair pair = new Pair(client(TIMEOUT), StackConfig.defaults(), 1);
        pair.toServer.dropIf = MptcpBlackholeTest::synWithMptcpOption;

        Exchange x = transfer(pair);

        MptcpPairTest.assertIntact(x, 1);
        Mib c = pair.client.mib();
        assertThat(pair.client.mptcpInfo(x.client).mode()).isEqualTo(MptcpConnection.Mode.PLAIN);
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX)).as("the SYN and two retransmissions with MP_CAPABLE").isEqualTo(3);
        assertThat(c.get(MibCounter.TCP_SYN_RETRANS)).as("the third retransmission went plain and got through").isEqualTo(3);
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX_DROP)).isEqualTo(1);
        assertThat(c.get(MibCounter.MPTCP_BLACKHOLE)).isEqualTo(1);
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_FALLBACK_SYNACK)).as("it fell back before the SYN-ACK").isZero();
        assertThat(pair.server.mib().get(MibCounter.MPTCP_CAPABLE_SYN_RX)).isZero();
        assertThat(pair.server.mptcpInfo(x.server).mode()).isEqualTo(MptcpConnection.Mode.PLAIN);
    }

    @Test
    void afterABlackhole_nextConnectionsArePlainAtOnce_untilThePeriodEnds_thenMptcpAgain() {
        Pair pair = new Pair(client(TIMEOUT), StackConfig.defaults(), 2);
        pair.toServer.dropIf = MptcpBlackholeTest::synWithMptcpOption;
        transfer(pair);
        long synRetrans = pair.client.mib().get(MibCounter.TCP_SYN_RETRANS);

        Exchange during = transfer(pair);

        MptcpPairTest.assertIntact(during, 2);
        Mib c = pair.client.mib();
        assertThat(pair.client.mptcpInfo(during.client).mode()).isEqualTo(MptcpConnection.Mode.PLAIN);
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX_DISABLED)).isEqualTo(1);
        assertThat(c.get(MibCounter.TCP_SYN_RETRANS)).as("no SYN waited for a timeout").isEqualTo(synRetrans);
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX)).isEqualTo(3);

        // The firewall is gone and the period is over: MPTCP again, and the blackhole is forgotten.
        pair.toServer.dropIf = bytes -> false;
        pair.runFor(TIMEOUT);
        Exchange after = transfer(pair);

        MptcpPairTest.assertIntact(after, 2);
        assertThat(pair.client.mptcpInfo(after.client).mode()).isEqualTo(MptcpConnection.Mode.MPTCP);
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYNACK_RX)).isEqualTo(1);
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX_DISABLED)).isEqualTo(1);
    }

    @Test
    void aBlackholeFoundAgainRightAfterThePeriod_doublesIt() {
        Pair pair = new Pair(client(TIMEOUT), StackConfig.defaults(), 3);
        pair.toServer.dropIf = MptcpBlackholeTest::synWithMptcpOption;
        transfer(pair);
        pair.runFor(TIMEOUT);

        transfer(pair); // MPTCP is tried again, and the firewall is still there
        Mib c = pair.client.mib();
        assertThat(c.get(MibCounter.MPTCP_BLACKHOLE)).isEqualTo(2);
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX_DROP)).isEqualTo(2);

        pair.runFor(TIMEOUT + Nanos.ofSeconds(1)); // past one period, inside two
        Exchange doubled = transfer(pair);
        assertThat(pair.client.mptcpInfo(doubled.client).mode()).isEqualTo(MptcpConnection.Mode.PLAIN);
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX_DISABLED)).isEqualTo(1);

        pair.runFor(TIMEOUT);
        transfer(pair);
        assertThat(c.get(MibCounter.MPTCP_BLACKHOLE)).as("tried again after two periods").isEqualTo(3);
    }

    @Test
    void detectionOff_stillFallsBackAfterTheRetransmissions_butNeverDisablesMptcp() {
        Pair pair = new Pair(client(0), StackConfig.defaults(), 4);
        pair.toServer.dropIf = MptcpBlackholeTest::synWithMptcpOption;
        transfer(pair);

        Exchange second = transfer(pair);

        MptcpPairTest.assertIntact(second, 4);
        Mib c = pair.client.mib();
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX_DROP)).isEqualTo(2);
        assertThat(c.get(MibCounter.MPTCP_BLACKHOLE)).isZero();
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX_DISABLED)).isZero();
        assertThat(c.get(MibCounter.MPTCP_CAPABLE_SYN_TX)).isEqualTo(6);
    }
}
