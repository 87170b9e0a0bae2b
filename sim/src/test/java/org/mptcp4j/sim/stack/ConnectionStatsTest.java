package org.mptcp4j.sim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.tcp.TcpState;

/** Per-connection statistics as {@code ss -ti} shows them, sampled over a run. */
class ConnectionStatsTest {

    @Test
    void renoOnLossyPath_traceShowsSawtoothAndPathRtt() {
        LinkSpec fwd = LinkSpec.of(50_000_000, Duration.ofMillis(15)).withLoss(LossModel.bernoulli(0.005));
        LinkSpec rev = LinkSpec.of(50_000_000, Duration.ofMillis(15));
        BulkScenario s = new BulkScenario(2, fwd, rev, StackConfig.defaults().withCongestionControl("reno"), 1L << 40);
        ConnectionTrace trace = ConnectionTrace.every(s.sim, s.sender, s.app::conn, Nanos.ofMillis(100), Nanos.ofSeconds(30));
        s.sim.runUntil(Nanos.ofSeconds(30));
        List<ConnectionTrace.Sample> samples = trace.samples();
        assertThat(samples).hasSizeGreaterThan(250);
        var last = samples.get(samples.size() - 1).info();
        assertThat(last.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(last.congestionControl()).isEqualTo("reno");
        assertThat(last.srttNanos()).isBetween(Nanos.ofMillis(30), Nanos.ofMillis(45));
        assertThat(last.rttvarNanos()).isPositive();
        assertThat(last.rtoNanos()).isGreaterThanOrEqualTo(Nanos.ofMillis(200));
        assertThat(last.retransmits()).isPositive();
        assertThat(last.ssthreshBytes()).isLessThan(Long.MAX_VALUE);
        int decreases = 0;
        for (int i = 1; i < samples.size(); i++) {
            assertThat(samples.get(i).info().bytesAcked()).isGreaterThanOrEqualTo(samples.get(i - 1).info().bytesAcked());
            if (samples.get(i).info().cwndBytes() < samples.get(i - 1).info().cwndBytes()) {
                decreases++;
            }
        }
        assertThat(decreases).as("multiplicative decreases").isGreaterThan(10);
        assertThat(trace.toCsv().lines()).hasSize(samples.size() + 1).first().asString().startsWith("time_s,");
        assertThat(last.toString()).contains("cwnd:").contains("rtt:").contains("bytes_acked:");
    }
}
