package org.mptcp4j.net.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.net.perf.LossBenchmark.Direction;
import org.mptcp4j.net.perf.LossBenchmark.Row;
import org.mptcp4j.net.perf.LossBenchmark.Setting;

/** The loss report's arithmetic: per-100 MB rates, medians, and ratios against the kernel in the same direction. */
class LossBenchmarkTest {
    private static final Setting ONE_PERCENT = new Setting(1, false);

    @Test
    void rates_arePerHundredMegabytesReceived() {
        Row r = new Row(ONE_PERCENT, Direction.MPTCP4J_TO_KERNEL, 50_000_000, 4.0, 20, 300, null);
        assertThat(r.goodputMbps()).isEqualTo(100.0);
        assertThat(r.rtosPer100MB()).isEqualTo(40.0);
        assertThat(r.retransPer100MB()).isEqualTo(600.0);
    }

    @Test
    void summary_takesMediansAndComparesEachDirectionWithTheKernelGoingTheSameWay() {
        List<Row> rows = List.of(
                new Row(ONE_PERCENT, Direction.KERNEL_TO_KERNEL, 100_000_000, 0.8, 2, 700, null),   // 1000 Mb/s
                new Row(ONE_PERCENT, Direction.KERNEL_TO_KERNEL, 100_000_000, 0.4, 4, 700, null),   // 2000 Mb/s
                new Row(ONE_PERCENT, Direction.KERNEL_TO_KERNEL, 100_000_000, 0.2, 6, 700, null),   // 4000 Mb/s
                new Row(ONE_PERCENT, Direction.MPTCP4J_TO_KERNEL, 100_000_000, 8.0, 40, 700, null), // 100 Mb/s
                new Row(ONE_PERCENT, Direction.MPTCP4J_TO_KERNEL, 0, 0, 0, 0, "reset"),
                new Row(ONE_PERCENT, Direction.KERNEL_TO_KERNEL_REVERSE, 100_000_000, 1.6, 0, 700, null), // 500 Mb/s
                new Row(ONE_PERCENT, Direction.KERNEL_TO_MPTCP4J, 100_000_000, 3.2, 1, 900, null));   // 250 Mb/s
        List<String> lines = LossBenchmark.summary(rows);

        assertThat(lines).hasSize(5);
        assertThat(lines.get(1)).contains("kernel -> kernel", " 2000 Mb/s", "(1000-4000)", "ref", "4.0");
        assertThat(lines.get(2)).contains("mptcp4j -> kernel", "100 Mb/s", "5.0 %", "40.0", "10.0x", "1 (1 failed)");
        assertThat(lines.get(4)).contains("kernel -> mptcp4j", "250 Mb/s", "50.0 %", "kernel 0");
    }
}
