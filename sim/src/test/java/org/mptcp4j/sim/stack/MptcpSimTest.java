package org.mptcp4j.sim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * MPTCP (the stack's default) in the simulator: the bulk scenario of {@link TcpPerformanceTest}
 * with one MPTCP subflow, held to TCP's bar less the DSS option's share of each segment.
 */
class MptcpSimTest {

    @Test
    void clean100Mbps10ms_goodputAtLeast95PercentOfCapacityLessTheDss() {
        LinkSpec spec = LinkSpec.of(100_000_000, Duration.ofMillis(10));
        StackConfig cfg = StackConfig.defaults().withSendBufferBytes(4 << 20).withReceiveBufferBytes(4 << 20);
        BulkScenario s = new BulkScenario(1, spec, spec, cfg, 1L << 40);
        s.sim.runUntil(Nanos.ofSeconds(2));
        long b0 = s.sink.totalBytes();
        s.sim.runUntil(Nanos.ofSeconds(22));
        double goodputBps = (s.sink.totalBytes() - b0) * 8 / 20.0;
        // 28 bytes of DSS (DATA_ACK and a 64-bit mapping) in each segment of 1448 bytes of payload.
        double bar = 0.95 * (1448 - 28) / 1448.0;
        assertThat(goodputBps / 100e6).as("goodput %.2f Mbps; %s", goodputBps / 1e6, s).isGreaterThanOrEqualTo(bar);
        assertThat(s.sender.stack().mib().get(MibCounter.MPTCP_CAPABLE_SYNACK_RX)).as("MPTCP was negotiated").isEqualTo(1);
    }
}
