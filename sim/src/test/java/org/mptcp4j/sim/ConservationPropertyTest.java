package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.mptcp4j.sim.traffic.CountingSink;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.link.QueueLimit;

/** Whatever happens on a link, every packet is accounted for once and returns to the pool. */
class ConservationPropertyTest {

    @Property(tries = 60, seed = "20261125")
    void everyPacketEndsDeliveredOrCountedAsDropped(
            @ForAll long seed,
            @ForAll @DoubleRange(max = 0.3) double loss,
            @ForAll @DoubleRange(max = 0.3) double reorder,
            @ForAll @DoubleRange(max = 0.3) double duplicate,
            @ForAll @DoubleRange(max = 0.3) double corrupt,
            @ForAll @IntRange(min = 1, max = 40) int queuePackets,
            @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 2000) Integer> bursts,
            @ForAll @Size(max = 6) List<@IntRange(min = 0, max = 100_000) Integer> toggleMicros) {
        LinkSpec spec = LinkSpec.of(100_000_000L, 1_000_000).withQueue(QueueLimit.packets(queuePackets))
                .withLoss(LossModel.bernoulli(loss)).withCorruption(corrupt).withDuplication(duplicate)
                .withReordering(reorder, java.time.Duration.ofMillis(3));
        TwoHosts net = new TwoHosts(seed, spec);
        long offered = 0;
        for (int i = 0; i < bursts.size(); i++) {
            int size = bursts.get(i) % 1500 + 28 + 16;
            int count = bursts.get(i) % 7 + 1;
            offered += count;
            net.sim.schedule(i * 50_000L, (now, arg) -> {
                for (int k = 0; k < count; k++) {
                    net.a.send(LinkTimingTest.udp(size, k));
                }
            }, null);
        }
        boolean down = false;
        for (int t : toggleMicros) {
            if (down) {
                net.link.upAt(t * 1000L);
            } else {
                net.link.downAt(t * 1000L);
            }
            down = !down;
        }

        while (net.sim.step()) {
            net.link.checkInvariants();
        }

        LinkCounters c = net.link.counters();
        assertThat(offered + c.duplicated()).as("seed %d", seed)
                .isEqualTo(c.packetsDelivered() + c.droppedQueue() + c.droppedLoss() + c.droppedDown() + c.mtuDrops());
        assertThat(net.b.packetsReceived()).isEqualTo(c.packetsDelivered());
        CountingSink sink = net.sink;
        assertThat(sink.packets() + sink.badChecksum() + sink.malformed()).isEqualTo(c.packetsDelivered());
        assertThat(net.sim.pool().inUse()).isZero();
        assertThat(net.link.queuedPackets()).isZero();
    }

    @Property(tries = 200, seed = "20261125")
    void randomBytes_neverThrow_andAreDroppedOrDelivered(@ForAll @Size(max = 30) List<byte[]> packets) {
        Simulation sim = new Simulation(1);
        Host a = sim.host("a", "10.0.0.1");
        Router r = sim.router("r");
        Host b = sim.host("b", "10.0.1.1");
        a.route("0.0.0.0/0", sim.link(a, r, LinkSpec.of(1_000_000_000L, 0)));
        a.route("::/0", sim.link(a, r, LinkSpec.of(1_000_000_000L, 0)));
        r.route("0.0.0.0/0", sim.link(r, b, LinkSpec.of(1_000_000_000L, 0).withCorruption(0.5)));
        CountingSink sink = new CountingSink();
        b.attach(sink);

        for (byte[] p : packets) {
            if (p.length > 0) {
                p[0] = (byte) ((p[0] & 0x0F) | (p.length % 2 == 0 ? 0x40 : 0x60)); // look like IP
            }
            a.send(ByteBuffer.wrap(p));
        }
        sim.run();

        assertThat(a.packetsSent() + a.droppedMalformed() + a.droppedNoRoute()).isEqualTo(packets.size());
        assertThat(r.forwarded() + r.droppedMalformed() + r.droppedNoRoute() + r.droppedTtlExpired() + r.droppedTooBig())
                .isEqualTo(a.packetsSent());
        assertThat(sim.pool().inUse()).isZero();
    }
}
