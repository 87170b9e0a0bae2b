package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.traffic.CountingSink;
import org.mptcp4j.sim.traffic.Ipv4Udp;
import org.mptcp4j.sim.traffic.UdpSource;

class SansIoEndpointTest {
    private static final long PROCESSING_NANOS = 50_000;

    /**
     * A tiny sans-IO engine: answers each valid datagram, PROCESSING_NANOS after it arrived, with
     * a datagram of the same sequence number back to its sender (a delayed echo).
     */
    private static final class DelayedEcho extends SansIoEndpoint {
        private final Queue<long[]> pending = new ArrayDeque<>(); // {dueNanos, seq, srcAddressAsInt}
        private final Queue<long[]> due = new ArrayDeque<>();
        long timeouts;

        @Override
        protected void handleInbound(long now, ByteBuffer p) {
            if (Ipv4Udp.check(p) == Ipv4Udp.Verdict.OK) {
                pending.add(new long[] {now + PROCESSING_NANOS, Ipv4Udp.seq(p), p.getInt(p.position() + 12)});
            }
        }

        @Override
        protected void handleTimeout(long now) {
            timeouts++;
            while (!pending.isEmpty() && pending.peek()[0] <= now) {
                due.add(pending.poll());
            }
        }

        @Override
        protected boolean pollTransmit(long now, ByteBuffer out) {
            long[] reply = due.poll();
            if (reply == null) {
                return false;
            }
            byte[] to = ByteBuffer.allocate(4).putInt((int) reply[2]).array();
            Ipv4Udp.write(out, Prefix.addressBytes(TwoHosts.B), to, 5001, 40_000, 0, reply[1], now, 64);
            return true;
        }

        @Override
        protected long pollTimeout() {
            return pending.isEmpty() ? Nanos.NEVER : pending.peek()[0];
        }
    }

    @Test
    void sansIoEngine_answersAtItsOwnDeadline_andTheTimerIsReleasedWhenIdle() {
        Simulation sim = new Simulation(1);
        Host a = sim.host("a", TwoHosts.A);
        Host b = sim.host("b", TwoHosts.B);
        DuplexLink ab = sim.connect(a, b, LinkSpec.of(100_000_000L, Duration.ofMillis(10)));
        a.route("0.0.0.0/0", ab.aToB());
        b.route("0.0.0.0/0", ab.bToA());
        DelayedEcho echo = new DelayedEcho();
        b.attach(echo);
        CountingSink replies = new CountingSink().recordArrivals();
        a.attach(new EndpointGroup(
                UdpSource.from(TwoHosts.A).to(TwoHosts.B).count(3).intervalNanos(1_000_000).build(),
                replies));

        sim.run();

        assertThat(replies.packets()).isEqualTo(3);
        assertThat(echo.timeouts).isEqualTo(3);
        // 1500 B out: 10.12 ms; 50 us of processing; 92 B back: 7.36 us + 10 ms.
        long rtt = 10_120_000 + PROCESSING_NANOS + 7_360 + 10_000_000;
        for (int i = 0; i < 3; i++) {
            assertThat(replies.arrivalNanos(i)).isEqualTo(i * 1_000_000L + rtt);
        }
        assertThat(b.pendingWakeupNanos()).isEqualTo(Nanos.NEVER);
    }
}
