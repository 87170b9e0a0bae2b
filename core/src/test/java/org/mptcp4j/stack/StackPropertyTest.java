package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.mptcp4j.base.Nanos;

/**
 * Whatever the wire does (loss and reordering both ways, any delay, with or without SACK and
 * timestamps), the stream arrives intact and every invariant holds after every step. jqwik prints
 * the failing parameters (the seed among them), which replay bit for bit.
 */
class StackPropertyTest {

    @Property(tries = 60, seed = "20261125")
    void anyWire_streamArrivesIntact(@ForAll @LongRange(min = 1, max = 1_000_000) long seed,
            @ForAll @DoubleRange(min = 0, max = 0.15) double loss,
            @ForAll @DoubleRange(min = 0, max = 0.1) double reorder,
            @ForAll @IntRange(min = 1, max = 100) int delayMillis,
            @ForAll boolean sack, @ForAll boolean timestamps, @ForAll boolean cubic) {
        StackConfig cfg = StackConfig.defaults().withSack(sack).withTimestamps(timestamps)
                .withCongestionControl(cubic ? "cubic" : "reno").withReceiveBufferBytes(128 * 1024);
        Pair pair = new Pair(cfg, seed);
        for (Pair.Link l : new Pair.Link[] {pair.toServer, pair.toClient}) {
            l.lossRate = loss;
            l.reorderRate = reorder;
            l.delayNanos = Nanos.ofMillis(delayMillis);
            l.rateBps = 20_000_000;
        }
        Transfer t = new Transfer(pair, 200_000, seed).run(Nanos.ofSeconds(3600));
        assertThat(t.received()).isEqualTo(200_000);
        assertThat(t.receivedSha256()).isEqualTo(t.sentSha256());
        assertThat(pair.toServer.mtuDrops + pair.toClient.mtuDrops).as("packets above the 1500-byte MTU").isZero();
    }
}
