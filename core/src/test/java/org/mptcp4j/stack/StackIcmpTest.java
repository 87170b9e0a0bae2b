package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.IcmpCodec;

/**
 * Path MTU discovery at the stack: an ICMP "fragmentation needed" (RFC 1191) or ICMPv6 "packet
 * too big" (RFC 8201) that quotes a segment of a connection in flight lowers that connection's
 * MSS; one that fails the checks of RFC 5927 is counted and changes nothing.
 */
class StackIcmpTest {
    private static final InetAddress ROUTER = address("10.0.0.254");
    private static final InetAddress ROUTER6 = address("fd00::fe");

    /** A connection with 20 000 bytes queued; {@link #sent} is its first data packet, taken off the wire. */
    private static final class InFlight {
        final Pair pair;
        final ConnHandle conn;
        final byte[] sent;

        InFlight(boolean ipv6) {
            pair = new Pair(StackConfig.defaults(), StackConfig.defaults(), 7, ipv6);
            pair.server.listen(pair.serverAddress(), 4);
            conn = pair.client.connect(pair.now(), null, pair.serverAddress());
            pair.driveUntil(() -> pair.clientEvents.contains(new StackEvent.Connected(conn)), Nanos.ofSeconds(5), 100);
            pair.client.write(pair.now(), conn, ByteBuffer.allocate(20_000));
            ByteBuffer out = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
            assertThat(pair.client.pollTransmit(pair.now(), out)).isNotNull();
            sent = Arrays.copyOf(out.array(), out.position());
        }

        int mss() {
            return pair.client.info(conn).mss();
        }

        long count(MibCounter c) {
            return pair.client.mib().get(c);
        }

        /** The router's report on {@code quoted}, delivered to the client; returns the next packet it sends. */
        ByteBuffer report(int mtu, byte[] quoted) {
            boolean v6 = pair.clientAddr instanceof java.net.Inet6Address;
            var ip = IcmpCodec.errorHeader(v6 ? ROUTER6 : ROUTER, pair.clientAddr);
            ByteBuffer icmp = ByteBuffer.allocate(IcmpCodec.encodedLength(ip, quoted.length));
            IcmpCodec.encodePacketTooBig(ip, mtu, ByteBuffer.wrap(quoted), icmp);
            pair.client.handleInbound(pair.now(), icmp.flip());
            ByteBuffer out = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
            return pair.client.pollTransmit(pair.now(), out) == null ? null : out.flip();
        }
    }

    @Test
    void fragmentationNeeded_forASegmentInFlight_lowersTheMss_andLaterSegmentsFit() {
        InFlight c = new InFlight(false);
        // The first data segment: a full one's 1420 bytes (MSS less the widest DSS); the MP_CAPABLE
        // it carries in the DSS's place is 4 bytes shorter.
        assertThat(c.sent).hasSize(1496);
        assertThat(c.mss()).isEqualTo(1448);

        ByteBuffer next = c.report(1280, c.sent);

        assertThat(c.mss()).isEqualTo(1280 - 20 - 20 - 12); // IPv4, TCP and the timestamps option
        assertThat(c.count(MibCounter.TCP_PMTU_UPDATES)).isEqualTo(1);
        assertThat(c.count(MibCounter.ICMP_IN_MSGS)).isEqualTo(1);
        assertThat(c.count(MibCounter.ICMP_IN_DEST_UNREACHS)).isEqualTo(1);
        assertThat(next).isNotNull();
        assertThat(next.remaining()).isLessThanOrEqualTo(1280);
    }

    @Test
    void packetTooBig_forASegmentInFlight_lowersTheMss() {
        InFlight c = new InFlight(true);
        // The first data segment: a full one's 1420 bytes (MSS less the widest DSS); the MP_CAPABLE
        // it carries in the DSS's place is 4 bytes shorter.
        assertThat(c.sent).hasSize(1496);

        c.report(1280, c.sent);

        assertThat(c.mss()).isEqualTo(1280 - 40 - 20 - 12);
        assertThat(c.count(MibCounter.ICMP6_IN_PKT_TOO_BIGS)).isEqualTo(1);
        assertThat(c.count(MibCounter.TCP_PMTU_UPDATES)).isEqualTo(1);
    }

    @Test
    void quotedSequenceOutsideSndUnaToSndNxt_isOutOfWindow() {
        InFlight c = new InFlight(false);
        int seq = ByteBuffer.wrap(c.sent).getInt(24);

        c.report(1280, withSequence(c.sent, seq + 1448));        // SND.NXT: one segment sent so far
        c.report(1280, withSequence(c.sent, seq - 1));           // below SND.UNA
        c.report(1280, withSequence(c.sent, seq + 20_000));      // beyond all 20 000 bytes written

        assertThat(c.count(MibCounter.TCP_OUT_OF_WINDOW_ICMPS)).isEqualTo(3);
        assertThat(c.count(MibCounter.TCP_PMTU_UPDATES)).isZero();
        assertThat(c.mss()).isEqualTo(1448);
    }

    @Test
    void implausibleMtus_areRefused() {
        InFlight c = new InFlight(false);

        c.report(67, c.sent);      // below any IPv4 link's (RFC 791)
        c.report(1500, c.sent);    // the packet it quotes was not too big for it
        c.report(9000, c.sent);

        assertThat(c.count(MibCounter.ICMP_PMTU_REFUSED)).isEqualTo(3);
        assertThat(c.mss()).isEqualTo(1448);

        InFlight v6 = new InFlight(true);
        v6.report(1279, v6.sent);  // RFC 8201 section 4: below the IPv6 minimum link MTU

        assertThat(v6.count(MibCounter.ICMP_PMTU_REFUSED)).isEqualTo(1);
        assertThat(v6.mss()).isEqualTo(1428);
    }

    @Test
    void mtuZeroFromAnOldRouter_meansTheNextPlateauDown() {
        InFlight c = new InFlight(false);

        c.report(0, c.sent);

        assertThat(c.mss()).isEqualTo(1492 - 52); // RFC 1191 section 5 and 7: 1492 is below 1500
    }

    @Test
    void quoteOfNoConnection_isAnIcmpError() {
        InFlight c = new InFlight(false);
        byte[] otherPort = c.sent.clone();
        otherPort[22] ^= 1; // destination port

        c.report(1280, otherPort);

        assertThat(c.count(MibCounter.ICMP_IN_ERRORS)).isEqualTo(1);
        assertThat(c.mss()).isEqualTo(1448);
    }

    /**
     * 3000 reports with a random MTU about a randomly damaged copy of a segment in flight, each
     * with a valid checksum, so that they reach the connection checks: nothing throws, the
     * connection's invariants hold, and every report is counted once as accepted or refused.
     */
    @Test
    void randomReports_neverThrow_andAreEachCountedOnce() {
        for (boolean ipv6 : new boolean[] {false, true}) {
            InFlight c = new InFlight(ipv6);
            org.mptcp4j.base.Rng rng = org.mptcp4j.base.Rng.seeded(ipv6 ? 6 : 4);
            int reports = 3000;
            for (int i = 0; i < reports; i++) {
                byte[] quoted = c.sent.clone();
                int damaged = rng.nextInt(4);
                for (int k = 0; k < damaged; k++) {
                    quoted[rng.nextInt(ipv6 ? 48 : 28)] = (byte) rng.nextInt(256);
                }
                int mtu = rng.chance(0.5) ? rng.nextInt(1600) : rng.nextInt(Integer.MAX_VALUE);
                c.report(ipv6 ? mtu : mtu & 0xFFFF, quoted);
                c.pair.client.checkInvariants();
            }
            long counted = 0;
            for (MibCounter m : new MibCounter[] {MibCounter.TCP_PMTU_UPDATES, MibCounter.ICMP_PMTU_REFUSED,
                    MibCounter.TCP_OUT_OF_WINDOW_ICMPS, MibCounter.ICMP_IN_ERRORS, MibCounter.ICMP6_IN_ERRORS}) {
                counted += c.count(m);
            }
            assertThat(counted).as("ipv6 %s: %s", ipv6, c.pair.client.mib()).isEqualTo(reports);
        }
    }

    private static byte[] withSequence(byte[] packet, int seq) {
        byte[] b = packet.clone();
        ByteBuffer.wrap(b).putInt(24, seq); // the TCP checksum goes stale: only the quote is read
        return b;
    }

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
