package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.stack.StackConfig;

/**
 * The connection's send buffer grows with its subflows, as Linux's does ({@code
 * __mptcp_sync_sndbuf}: the MPTCP socket's {@code sk_sndbuf} is the sum of its subflows', each at
 * most {@code tcp_wmem[2]}). The sender holds every byte until the DATA_ACK covers it, so with one
 * subflow's buffer for the whole connection a two-path transfer moves at most that buffer per round
 * trip, whatever the paths could carry: on the testbed two 1 Gbit/s paths moved 1.3-1.5 Gbit/s where
 * the kernel moved 1.88.
 */
class MptcpSendBufferTest {
    private static final long SEED = 31;
    private static final int SEND_BUFFER = 256 << 10;
    private static final long BYTES = 24L << 20;

    @Test
    void twoPathsWhoseWindowsExceedOneSubflowsBuffer_bothWaysAtOnce_holdMoreThanOneSubflowsBuffer() {
        LossModel loss = LossModel.bernoulli(0.0001);
        // 100 Mbit/s and a 10 ms round trip on each path: 250 KB in flight fills both, as much as
        // one subflow's buffer holds, and a sender needs about twice what is in flight.
        MptcpScenario s = MptcpScenario.standard(SEED, BYTES, StackConfig.defaults().withSendBufferBytes(SEND_BUFFER),
                MptcpScenario.lossyPath(100_000_000L, 5, loss), MptcpScenario.lossyPath(100_000_000L, 5, loss));

        boolean done = s.run(Nanos.ofSeconds(60));

        s.assertIntact(done);
        s.assertEverySubflowCarriedDataBothWays(2);
        assertThat(s.mostUnacknowledged).as("%s: the client's most data-level bytes unacknowledged", s)
                .isGreaterThan(3 * SEND_BUFFER / 2);
    }
}
