package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.traffic.CountingSink;
import org.mptcp4j.sim.traffic.Ipv4Udp;
import org.mptcp4j.link.LinkSpec;

class HostAndRouterTest {

    @Test
    void wakeAt_replacesTheEarlierRequest() {
        Simulation sim = new Simulation(1);
        Probe probe = new Probe();
        sim.host("h", "10.0.0.1").attach(probe);

        probe.host.wakeAt(500);
        probe.host.wakeAt(300);
        probe.host.wakeAt(700);
        sim.run();

        assertThat(probe.wakeups).containsExactly(700L);
    }

    @Test
    void wakeAt_neverCancels_andThePastMeansNow() {
        Simulation sim = new Simulation(1);
        Probe probe = new Probe();
        Host h = sim.host("h", "10.0.0.1").attach(probe);

        probe.host.wakeAt(500);
        probe.host.wakeAt(Nanos.NEVER);
        sim.runUntil(1000);
        assertThat(probe.wakeups).isEmpty();
        assertThat(h.pendingWakeupNanos()).isEqualTo(Nanos.NEVER);

        probe.host.wakeAt(10);
        sim.run();
        assertThat(probe.wakeups).containsExactly(1000L);
    }

    @Test
    void attach_givesTheHostsAddressesAndItsOwnRng() {
        Simulation sim = new Simulation(1);
        Probe probe = new Probe();
        sim.host("h", "10.0.0.1", "fd00::1").attach(probe);

        assertThat(probe.host.addresses()).extracting(a -> a.getHostAddress())
                .containsExactly("10.0.0.1", "fd00:0:0:0:0:0:0:1");
        assertThat(probe.host.rng().nextLong()).isEqualTo(sim.rng("host:h").nextLong());
    }

    @Test
    void packetsForOtherAddresses_andWithoutRoute_andMalformed_areCountedNotDelivered() {
        Simulation sim = new Simulation(1);
        Host a = sim.host("a", "10.0.0.1");
        Host b = sim.host("b", "10.0.0.2");
        Link ab = sim.link(a, b, LinkSpec.of(1_000_000_000L, 0));
        a.route("10.0.0.0/24", ab);
        CountingSink sink = new CountingSink();
        b.attach(sink);

        a.send(packet("10.0.0.1", "10.0.0.3")); // routed, but b is not 10.0.0.3
        a.send(packet("10.0.0.1", "192.168.1.1")); // no route
        a.send(ByteBuffer.wrap(new byte[] {0x45, 0, 0})); // too short to be IPv4
        a.send(packet("10.0.0.1", "10.0.0.2"));
        sim.run();

        assertThat(b.droppedNotForUs()).isEqualTo(1);
        assertThat(a.droppedNoRoute()).isEqualTo(1);
        assertThat(a.droppedMalformed()).isEqualTo(1);
        assertThat(sink.packets()).isEqualTo(1);
        assertThat(sim.pool().inUse()).isZero();
    }

    @Test
    void router_decrementsTtlKeepsChecksumValid_andDropsExpired() {
        Simulation sim = new Simulation(1);
        Host a = sim.host("a", "10.0.0.1");
        Router r = sim.router("r");
        Host b = sim.host("b", "10.9.0.1");
        DuplexLink ar = sim.connect(a, r, LinkSpec.of(1_000_000_000L, 0));
        DuplexLink rb = sim.connect(r, b, LinkSpec.of(1_000_000_000L, 0));
        a.route("0.0.0.0/0", ar.aToB());
        r.route("10.9.0.0/16", rb.aToB());
        Probe probe = new Probe();
        b.attach(probe);

        ByteBuffer ok = packet("10.0.0.1", "10.9.0.1");
        ByteBuffer expiring = packet("10.0.0.1", "10.9.0.1");
        setTtl(expiring, 1);
        a.send(ok);
        a.send(expiring);
        a.send(packet("10.0.0.1", "10.8.0.1"));
        sim.run();

        assertThat(probe.packets).hasSize(1);
        ByteBuffer got = ByteBuffer.wrap(probe.packets.get(0));
        assertThat(got.get(8) & 0xFF).isEqualTo(63);
        assertThat(Ipv4Udp.check(got)).isEqualTo(Ipv4Udp.Verdict.OK);
        assertThat(r.droppedTtlExpired()).isEqualTo(1);
        assertThat(r.droppedNoRoute()).isEqualTo(1);
        assertThat(r.forwarded()).isEqualTo(1);
    }

    @Test
    void router_longestPrefixWins_andSourceRoutesComeFirst() {
        Simulation sim = new Simulation(1);
        Host a = sim.host("a", "10.0.0.1", "10.0.1.1");
        Router r = sim.router("r");
        Host wide = sim.host("wide", "10.9.0.1", "10.9.1.1");
        Host narrow = sim.host("narrow", "10.9.1.1");
        a.route("0.0.0.0/0", sim.link(a, r, LinkSpec.of(1_000_000_000L, 0)));
        Link toWide = sim.link(r, wide, LinkSpec.of(1_000_000_000L, 0));
        Link toNarrow = sim.link(r, narrow, LinkSpec.of(1_000_000_000L, 0));
        r.route("10.9.0.0/16", toWide).route("10.9.1.0/24", toNarrow)
                .sourceRoute("10.0.1.0/24", "10.9.0.0/16", toWide);

        a.send(packet("10.0.0.1", "10.9.0.1")); // /16 only
        a.send(packet("10.0.0.1", "10.9.1.1")); // /24 beats /16
        a.send(packet("10.0.1.1", "10.9.1.1")); // source route beats /24
        sim.run();

        assertThat(toWide.counters().packetsSent()).isEqualTo(2);
        assertThat(toNarrow.counters().packetsSent()).isEqualTo(1);
    }

    @Test
    void ipv6Packets_areRoutedByTheirAddresses() {
        Simulation sim = new Simulation(1);
        Host a = sim.host("a", "fd00::1");
        Router r = sim.router("r");
        Host b = sim.host("b", "fd01::2");
        a.route("::/0", sim.link(a, r, LinkSpec.of(1_000_000_000L, 0)));
        r.route("fd01::/16", sim.link(r, b, LinkSpec.of(1_000_000_000L, 0)));
        Probe probe = new Probe();
        b.attach(probe);

        byte[] v6 = new byte[60];
        v6[0] = 0x60;
        v6[5] = 20;
        v6[6] = 59; // no next header
        v6[7] = 64;
        System.arraycopy(Prefix.addressBytes("fd00::1"), 0, v6, 8, 16);
        System.arraycopy(Prefix.addressBytes("fd01::2"), 0, v6, 24, 16);
        a.send(ByteBuffer.wrap(v6));
        sim.run();

        assertThat(probe.packets).hasSize(1);
        assertThat(probe.packets.get(0)[7]).isEqualTo((byte) 63);
    }

    @Test
    void linksMustLeaveTheNodeTheyAreRoutedFrom() {
        Simulation sim = new Simulation(1);
        Host a = sim.host("a", "10.0.0.1");
        Host b = sim.host("b", "10.0.0.2");
        Link ba = sim.link(b, a, LinkSpec.of(1_000_000, 0));
        assertThatIllegalArgumentException().isThrownBy(() -> a.route("0.0.0.0/0", ba));
        assertThatIllegalArgumentException().isThrownBy(() -> a.bind("10.0.0.9", ba));
        assertThatIllegalArgumentException().isThrownBy(() -> sim.host("a"));
    }

    static ByteBuffer packet(String src, String dst) {
        ByteBuffer b = ByteBuffer.allocate(100);
        Ipv4Udp.write(b, Prefix.addressBytes(src), Prefix.addressBytes(dst), 1, 2, 0, 0, 0, 72);
        return b.flip();
    }

    private static void setTtl(ByteBuffer p, int ttl) {
        p.put(8, (byte) ttl);
        p.putShort(10, (short) 0);
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += p.getShort(i) & 0xFFFF;
        }
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        p.putShort(10, (short) ~sum);
    }
}
