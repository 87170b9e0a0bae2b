package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.SchedulerTraceCsv;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.stack.Stack;

/**
 * The scheduler changes while data flows both ways ({@code Stack.setScheduler}), and the trace
 * shows every decision: which data went on which subflow, chosen by which scheduler, and why.
 */
class MptcpSchedulerSwitchTest {
    private static final long SEED = 41;
    private static final long BYTES = 6L << 20;

    /**
     * Both ends start with {@code default}; at a quarter of each stream the client switches to
     * round-robin and the server to ECF, at half to redundant and handover. Both streams arrive
     * whole; the client's trace shows the three schedulers in turn, and its new-data decisions
     * tile the stream from byte 0 to the last without a gap or an overlap.
     */
    @Test
    void schedulerChangedTwiceMidTransfer_bothStreamsIntact_traceShowsEachDecision() {
        LossModel loss = LossModel.bernoulli(0.002);
        MptcpScenario s = MptcpSchedulerTest.scenario(SEED, BYTES, "default",
                PathSpec.of(20_000_000, Duration.ofMillis(10)).withLoss(loss),
                PathSpec.of(10_000_000, Duration.ofMillis(30)).withLoss(loss));
        StringBuilder csv = new StringBuilder();
        SchedulerTraceCsv trace = new SchedulerTraceCsv(csv);
        Stack client = s.clientEnd.stack();
        Stack server = s.serverEnd.stack();
        assertThat(client.setSchedulerTrace(s.client.conn(), trace)).isTrue(); // connected as the host started

        assertThat(s.runUntilRead(BYTES / 4, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        assertThat(client.setScheduler(s.client.conn(), "roundrobin")).isTrue();
        assertThat(server.setScheduler(s.server.conn(), "ecf")).isTrue();
        assertThat(client.setScheduler(s.client.conn(), "no-such-scheduler")).isFalse();
        assertThat(client.scheduler(s.client.conn())).isEqualTo("roundrobin");
        long[] a = MptcpSchedulerTest.dataSentOnPath(s, 0);
        long[] b = MptcpSchedulerTest.dataSentOnPath(s, 1);

        assertThat(s.runUntilRead(BYTES / 2, Nanos.ofSeconds(60))).as("%s", s).isTrue();
        long[] a2 = MptcpSchedulerTest.dataSentOnPath(s, 0);
        long[] b2 = MptcpSchedulerTest.dataSentOnPath(s, 1);
        assertThat(client.setScheduler(s.client.conn(), "redundant")).isTrue();
        assertThat(server.setScheduler(s.server.conn(), "handover")).isTrue();

        s.assertIntact(s.run(Nanos.ofSeconds(120)));
        assertThat(trace.error()).isNull();
        assertThat(a2[0] - a[0]).as("round-robin used path A; %s", s).isPositive();
        assertThat(b2[0] - b[0]).as("round-robin used path B; %s", s).isPositive();

        List<String[]> rows = new ArrayList<>();
        String[] lines = csv.toString().split("\n");
        assertThat(lines[0]).isEqualTo(SchedulerTraceCsv.HEADER);
        for (int i = 1; i < lines.length; i++) {
            rows.add(lines[i].split(","));
        }
        Set<String> schedulers = new LinkedHashSet<>();
        rows.forEach(r -> schedulers.add(r[3]));
        assertThat(schedulers).containsExactly("default", "roundrobin", "redundant");

        // The new data each decision handed out, in order: [0, BYTES) exactly, once.
        long next = 0;
        String lastDecision = "";
        for (String[] r : rows) {
            if (!r[4].equals("new") || r[0].equals(lastDecision)) {
                continue;
            }
            lastDecision = r[0];
            assertThat(Long.parseLong(r[5])).as("decision %s", r[0]).isEqualTo(next);
            next = Long.parseLong(r[6]);
        }
        assertThat(next).isEqualTo(BYTES);
        // Each decision that mapped data names exactly one chosen subflow among its candidates.
        rows.stream().filter(r -> !r[4].equals("wait")).map(r -> r[0]).distinct().forEach(d -> assertThat(
                rows.stream().filter(r -> r[0].equals(d) && r[9].equals("1")).count()).as("decision %s", d).isOne());
        assertThat(rows).as("redundant copies").anyMatch(r -> r[4].equals("copy"));
    }
}
