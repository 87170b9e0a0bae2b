package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;
import org.mptcp4j.link.LinkSpec;

/** Real TCP packets (core's wire codec) through a router: forwarded intact, or corrupted and caught. */
class TcpOverSimTest {

    /** Decodes every arriving packet with the core codec, checksums verified. */
    private static final class Decoder implements Endpoint {
        final List<DecodeResult<TcpPacket>> results = new ArrayList<>();

        @Override public void attach(HostContext host) { }
        @Override public void onWakeup(long now) { }

        @Override
        public void onPacket(long now, ByteBuffer p) {
            results.add(TcpPackets.decode(p));
        }
    }

    private static byte[] segment(String src, String dst, int seq) throws Exception {
        InetAddress s = InetAddress.getByName(src);
        InetAddress d = InetAddress.getByName(dst);
        IpHeader ip = s instanceof Inet4Address s4
                ? IpHeader.V4.of(s4, (Inet4Address) d, IpHeader.PROTOCOL_TCP)
                : IpHeader.V6.of((Inet6Address) s, (Inet6Address) d, IpHeader.PROTOCOL_TCP);
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7 + seq);
        }
        TcpSegment seg = new TcpSegment(40_000, 80, seq, 1, TcpFlags.ACK | TcpFlags.PSH, 65_535, 0,
                List.of(), ByteBuffer.wrap(data));
        return TcpPackets.toBytes(ip, seg);
    }

    private static Decoder run(String src, String dst, String route, double corruption) throws Exception {
        Simulation sim = new Simulation(11);
        Host a = sim.host("a", src);
        Router r = sim.router("r");
        Host b = sim.host("b", dst);
        a.route(route, sim.link(a, r, LinkSpec.of(1_000_000_000L, 1_000)));
        r.route(route, sim.link(r, b, LinkSpec.of(100_000_000L, 1_000).withCorruption(corruption)));
        Decoder decoder = new Decoder();
        b.attach(decoder);
        for (int i = 0; i < 50; i++) {
            a.send(ByteBuffer.wrap(segment(src, dst, i * 1000)));
        }
        sim.run();
        assertThat(decoder.results).hasSize(50);
        return decoder;
    }

    @Test
    void ipv4Tcp_throughRouter_decodesWithValidChecksumsAndOneHopLessTtl() throws Exception {
        Decoder d = run("10.0.0.1", "10.0.1.1", "0.0.0.0/0", 0);
        for (int i = 0; i < 50; i++) {
            TcpPacket p = ((DecodeResult.Ok<TcpPacket>) d.results.get(i)).value();
            assertThat(((IpHeader.V4) p.ip()).ttl()).isEqualTo(63);
            assertThat(p.tcp().seq()).isEqualTo(i * 1000);
        }
    }

    @Test
    void ipv6Tcp_throughRouter_decodesWithValidChecksumsAndOneHopLessHopLimit() throws Exception {
        Decoder d = run("fd00::1", "fd01::1", "::/0", 0);
        for (DecodeResult<TcpPacket> r : d.results) {
            TcpPacket p = ((DecodeResult.Ok<TcpPacket>) r).value();
            assertThat(((IpHeader.V6) p.ip()).hopLimit()).isEqualTo(63);
        }
    }

    @Test
    void corruptedTcp_isCaughtByTheTcpChecksum() throws Exception {
        for (String[] pair : new String[][] {{"10.0.0.1", "10.0.1.1", "0.0.0.0/0"}, {"fd00::1", "fd01::1", "::/0"}}) {
            Decoder d = run(pair[0], pair[1], pair[2], 1.0);
            for (DecodeResult<TcpPacket> r : d.results) {
                assertThat(r).isInstanceOfSatisfying(DecodeResult.Malformed.class,
                        m -> assertThat(m.counter()).isEqualTo(MibCounter.TCP_IN_CSUM_ERRORS));
            }
        }
    }

    @Test
    void ipv6PerformanceTestbed_keepsEachAddressOnItsPath() throws Exception {
        var bed = Topologies.performanceTestbed(new Simulation(3),
                PathSpec.of(100_000_000L, Duration.ofMillis(10)),
                PathSpec.of(100_000_000L, Duration.ofMillis(50)),
                Topologies.Family.IPV6);
        Decoder decoder = new Decoder();
        bed.destination().attach(decoder);
        assertThat(bed.pathB().sourceAddress()).isEqualTo("fd00:2:1::2");
        for (int i = 0; i < 5; i++) {
            bed.source().send(ByteBuffer.wrap(segment(bed.pathA().sourceAddress(), bed.pathA().destinationAddress(), i)));
            bed.source().send(ByteBuffer.wrap(segment(bed.pathB().sourceAddress(), bed.pathA().destinationAddress(), i)));
        }
        bed.sim().run();

        assertThat(decoder.results).hasSize(10).allMatch(r -> r instanceof DecodeResult.Ok);
        assertThat(bed.pathA().destinationSide().aToB().counters().packetsSent()).isEqualTo(5);
        assertThat(bed.pathB().destinationSide().aToB().counters().packetsSent()).isEqualTo(5);
    }
}
