package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.IcmpCodec;
import org.mptcp4j.wire.IcmpMessage;
import org.mptcp4j.link.LinkSpec;

/** Links carry packets up to their MTU; routers answer what does not fit with ICMP (RFC 1191, RFC 8201). */
class LinkMtuTest {
    private static final long GBPS = 1_000_000_000L;

    @Test
    void defaultMtu1500_carriesA1500BytePacket_andRefusesA1501BytePacket() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(GBPS, 0));
        assertThat(net.link.spec().mtu()).isEqualTo(LinkSpec.DEFAULT_MTU).isEqualTo(1500);
        net.sim.schedule(0, (now, arg) -> {
            net.a.send(LinkTimingTest.udp(1500, 0));
            net.a.send(LinkTimingTest.udp(1501, 1));
        }, null);

        net.sim.run();

        assertThat(net.sink.packets()).isEqualTo(1);
        assertThat(net.sink.hasSeen(0)).isTrue();
        assertThat(net.link.counters().mtuDrops()).isEqualTo(1);
        assertThat(net.link.counters().packetsSent()).isEqualTo(1);
        assertThat(net.sim.pool().inUse()).isZero();
    }

    @Test
    void mtu1280_carries1280Bytes_andRefuses1281() {
        TwoHosts net = new TwoHosts(1, LinkSpec.of(GBPS, 0).withMtu(1280));
        net.sim.schedule(0, (now, arg) -> {
            net.a.send(LinkTimingTest.udp(1281, 0));
            net.a.send(LinkTimingTest.udp(1280, 1));
        }, null);

        net.sim.run();

        assertThat(net.sink.packets()).isEqualTo(1);
        assertThat(net.sink.hasSeen(1)).isTrue();
        assertThat(net.link.counters().mtuDrops()).isEqualTo(1);
    }

    @Test
    void mtuOutOfRange_isRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> LinkSpec.of(GBPS, 0).withMtu(67));
        assertThatIllegalArgumentException().isThrownBy(() -> LinkSpec.of(GBPS, 0).withMtu(Packet.MAX_BYTES + 1));
    }

    /** a --1500--> r --1280--> b, and back on 1500-byte links. */
    private record Narrow(Simulation sim, Host a, Router r, Host b, Link narrow, Probe atA, Probe atB) {
        static Narrow build(String aAddr, String bAddr, String any) {
            Simulation sim = new Simulation(1);
            Host a = sim.host("a", aAddr);
            Router r = sim.router("r");
            Host b = sim.host("b", bAddr);
            DuplexLink ar = sim.connect(a, r, LinkSpec.of(GBPS, 1000));
            DuplexLink rb = sim.connect(r, b, LinkSpec.of(GBPS, 1000).withMtu(1280));
            a.route(any, ar.aToB());
            b.route(any, rb.bToA());
            r.route(aAddr + (any.contains(":") ? "/128" : "/32"), ar.bToA())
                    .route(bAddr + (any.contains(":") ? "/128" : "/32"), rb.aToB());
            Probe atA = new Probe();
            Probe atB = new Probe();
            a.attach(atA);
            b.attach(atB);
            return new Narrow(sim, a, r, b, rb.aToB(), atA, atB);
        }
    }

    @Test
    void router_answersADfPacketTooBigForTheNextLink_withFragmentationNeeded() {
        Narrow n = Narrow.build("10.0.0.1", "10.9.0.1", "0.0.0.0/0");
        n.r.address("10.0.0.254");
        ByteBuffer big = udp("10.0.0.1", "10.9.0.1", 1400);
        n.a.send(big.duplicate());
        n.a.send(udp("10.0.0.1", "10.9.0.1", 1280));

        n.sim.run();

        assertThat(n.atB.packets).hasSize(1);
        assertThat(n.r.droppedTooBig()).isEqualTo(1);
        assertThat(n.r.icmpTooBigSent()).isEqualTo(1);
        assertThat(n.narrow.counters().mtuDrops()).isZero();
        assertThat(n.atA.packets).hasSize(1);
        IcmpMessage.PacketTooBig icmp = decodeTooBig(n.atA.packets.get(0));
        assertThat(icmp.mtu()).isEqualTo(1280);
        assertThat(icmp.ip().source().getHostAddress()).isEqualTo("10.0.0.254");
        assertThat(icmp.ip().destination().getHostAddress()).isEqualTo("10.0.0.1");
        assertThat(icmp.quoted().packetLength()).isEqualTo(1400);
        assertThat(icmp.quoted().header().destination().getHostAddress()).isEqualTo("10.9.0.1");
        // The quote holds the packet as it arrived, TTL not yet decremented, within 576 bytes in all.
        assertThat(n.atA.packets.get(0)).hasSize(576);
        assertThat(ByteBuffer.wrap(n.atA.packets.get(0), 28, 548))
                .isEqualTo(ByteBuffer.wrap(big.array(), 0, 548));
    }

    @Test
    void router_handsAPacketWithoutDfToTheLink_whichRefusesIt() {
        Narrow n = Narrow.build("10.0.0.1", "10.9.0.1", "0.0.0.0/0");
        n.r.address("10.0.0.254");
        ByteBuffer big = udp("10.0.0.1", "10.9.0.1", 1400);
        big.putShort(6, (short) 0); // DF clear: a router would fragment; the simulator does not
        big.putShort(10, (short) 0);
        big.putShort(10, (short) org.mptcp4j.wire.Checksums.ipv4HeaderChecksum(big, 0, 20));
        n.a.send(big);

        n.sim.run();

        assertThat(n.r.icmpTooBigSent()).isZero();
        assertThat(n.narrow.counters().mtuDrops()).isEqualTo(1);
        assertThat(n.atA.packets).isEmpty();
    }

    @Test
    void router_answersAnyIpv6PacketTooBig_withPacketTooBig() {
        Narrow n = Narrow.build("fd00::1", "fd09::1", "::/0");
        n.r.address("fd00::fe");
        n.a.send(ipv6("fd00::1", "fd09::1", 1500));

        n.sim.run();

        assertThat(n.atB.packets).isEmpty();
        assertThat(n.atA.packets).hasSize(1);
        IcmpMessage.PacketTooBig icmp = decodeTooBig(n.atA.packets.get(0));
        assertThat(icmp.mtu()).isEqualTo(1280);
        assertThat(icmp.quoted().packetLength()).isEqualTo(1500);
        assertThat(n.atA.packets.get(0)).hasSize(1280); // as much as fits the IPv6 minimum MTU
    }

    @Test
    void router_checksTheTtlBeforeTheSize() {
        Narrow n = Narrow.build("10.0.0.1", "10.9.0.1", "0.0.0.0/0");
        n.r.address("10.0.0.254");
        ByteBuffer big = udp("10.0.0.1", "10.9.0.1", 1400);
        big.put(8, (byte) 1);
        big.putShort(10, (short) org.mptcp4j.wire.Checksums.ipv4HeaderChecksum(big, 0, 20));
        n.a.send(big);

        n.sim.run();

        assertThat(n.r.droppedTtlExpired()).isEqualTo(1);
        assertThat(n.r.droppedTooBig()).isZero();
        assertThat(n.atA.packets).isEmpty();
    }

    @Test
    void router_sendsNoIcmpAboutAnIcmpError() {
        Narrow n = Narrow.build("fd00::1", "fd09::1", "::/0");
        n.r.address("fd00::fe");
        ByteBuffer error = ipv6("fd00::1", "fd09::1", 1500);
        error.put(6, (byte) 58).put(40, (byte) 1); // ICMPv6 destination unreachable: an error message
        n.a.send(error);

        n.sim.run();

        assertThat(n.r.droppedTooBig()).isEqualTo(1);
        assertThat(n.r.icmpTooBigSent()).isZero();
        assertThat(n.atA.packets).isEmpty();
    }

    @Test
    void routerWithoutAnAddress_isABlackHole() {
        Narrow n = Narrow.build("10.0.0.1", "10.9.0.1", "0.0.0.0/0");
        n.a.send(udp("10.0.0.1", "10.9.0.1", 1400));

        n.sim.run();

        assertThat(n.r.droppedTooBig()).isEqualTo(1);
        assertThat(n.r.icmpTooBigSent()).isZero();
        assertThat(n.atA.packets).isEmpty();
        assertThat(n.sim.pool().inUse()).isZero();
    }

    private static IcmpMessage.PacketTooBig decodeTooBig(byte[] packet) {
        DecodeResult<IcmpMessage> r = IcmpCodec.decode(ByteBuffer.wrap(packet));
        assertThat(r).isInstanceOf(DecodeResult.Ok.class);
        IcmpMessage m = ((DecodeResult.Ok<IcmpMessage>) r).value();
        assertThat(m).isInstanceOf(IcmpMessage.PacketTooBig.class);
        return (IcmpMessage.PacketTooBig) m;
    }

    private static ByteBuffer udp(String src, String dst, int totalBytes) {
        ByteBuffer b = ByteBuffer.allocate(totalBytes);
        org.mptcp4j.sim.traffic.Ipv4Udp.write(b, Prefix.addressBytes(src), Prefix.addressBytes(dst), 1, 2, 0, 0, 0,
                totalBytes - 28);
        return b.flip();
    }

    private static ByteBuffer ipv6(String src, String dst, int totalBytes) {
        ByteBuffer b = ByteBuffer.allocate(totalBytes);
        b.putInt(0, 0x6000_0000).putShort(4, (short) (totalBytes - 40)).put(6, (byte) 59).put(7, (byte) 64);
        b.put(8, Prefix.addressBytes(src)).put(24, Prefix.addressBytes(dst));
        return b;
    }
}
