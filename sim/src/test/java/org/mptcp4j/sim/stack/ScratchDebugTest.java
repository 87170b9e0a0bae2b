package org.mptcp4j.sim.stack;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.LinkSpec;
import org.mptcp4j.sim.LossModel;
import org.mptcp4j.stack.StackConfig;

class ScratchDebugTest {
    @Test
    void clean() {
        LinkSpec spec = LinkSpec.of(100_000_000, Duration.ofMillis(10));
        StackConfig cfg = StackConfig.defaults().withSendBufferBytes(4 << 20).withReceiveBufferBytes(4 << 20);
        BulkScenario s = new BulkScenario(1, spec, spec, cfg, 1L << 40);
        for (int i = 1; i <= 10; i++) {
            s.sim.runUntil(Nanos.ofMillis(200 * i));
            System.out.println("t=" + i * 200 + "ms sink=" + s.sink.totalBytes() + " " + s.app.info());
        }
        System.out.println(s);
    }

    @Test
    void reno() {
        double p = 0.01;
        LinkSpec forward = LinkSpec.of(1_000_000_000, Duration.ofMillis(10)).withLoss(LossModel.bernoulli(p));
        LinkSpec reverse = LinkSpec.of(1_000_000_000, Duration.ofMillis(10));
        StackConfig cfg = StackConfig.defaults().withCongestionControl("reno")
                .withSendBufferBytes(16 << 20).withReceiveBufferBytes(16 << 20);
        BulkScenario s = new BulkScenario(3, forward, reverse, cfg, 1L << 40);
        s.sim.runUntil(Nanos.ofSeconds(30));
        System.out.println(s);
    }
}
