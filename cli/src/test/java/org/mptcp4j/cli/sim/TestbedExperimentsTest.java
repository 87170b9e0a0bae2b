package org.mptcp4j.cli.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.cli.Main;

/**
 * {@code ./mptcp4j sim fig8} and {@code sim cpu} on the real TUN testbed, reduced: one MSS pair over
 * two gigabit paths (offloads on), and one and two subflows on a shared gigabit path, one second of
 * sending per transfer. Needs root and {@code /dev/net/tun} (skipped without them, failed under {@code CI=true});
 * every run's testbed is its own and is removed after it.
 */
class TestbedExperimentsTest {
    @BeforeEach
    void needsTheTestbed() {
        String missing = TestbedExperiment.missingCapability();
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                fail("the testbed experiments " + missing + " (CI=true: a missing capability fails the run)");
            }
            assumeTrue(false, "the testbed experiments " + missing);
        }
    }

    @Test
    void fig8_twoGigabitPaths_eachMssMovesDataOverTwoSubflows(@TempDir Path out) throws IOException {
        assertThat(Main.run("sim", "fig8", "--quick", "--duration", "1", "--out", out.toString())).isZero();

        List<Map<String, String>> rows = csv(out.resolve("fig8.csv"));
        assertThat(rows).extracting(r -> r.get("mss")).containsExactly("1400", "4500");
        for (Map<String, String> r : rows) {
            for (String run : List.of("kernel", "mptcp4j_send", "mptcp4j_recv")) {
                assertThat(number(r, run + "_subflows")).as(run + " subflows at MSS " + r.get("mss")).isEqualTo(2);
                assertThat(number(r, run + "_mbps")).as(run + " goodput at MSS " + r.get("mss")).isGreaterThan(100);
            }
            assertThat(number(r, "mptcp4j_send_sender_cpu_s_per_gb")).isPositive().isFinite();
            assertThat(number(r, "mptcp4j_recv_receiver_cpu_s_per_gb")).isPositive().isFinite();
        }
        // No goodput ratio between the two MSS values here: these are one-second runs on a shared
        // 2-vCPU machine, and CI measured the MSS-4500 goodput at 0.52 to 0.83 of the MSS-1400 one
        // over runs of the same commit. The paper's claim is checked on full runs in
        // docs/EVALUATION.md (fig8), not in a unit test.
        assertThat(out.resolve("fig8.png")).isNotEmptyFile();
        assertThat(Files.readString(out.resolve("fig8.md"))).contains("| 1400 |", "| 4500 |", "4500 bytes it fills both",
                "![fig8, offloads on](fig8.png)");
    }

    @Test
    void cpu_sharedGigabitPath_oneRowPerSubflowCount_eachWithThatManySubflows(@TempDir Path out) throws IOException {
        assertThat(Main.run("sim", "cpu", "--quick", "--duration", "1", "--out", out.toString())).isZero();

        List<Map<String, String>> rows = csv(out.resolve("cpu.csv"));
        assertThat(rows).extracting(r -> r.get("subflows")).containsExactly("1", "2");
        for (Map<String, String> r : rows) {
            double n = number(r, "subflows");
            for (String run : List.of("kernel", "mptcp4j_send", "mptcp4j_recv")) {
                assertThat(number(r, run + "_subflows")).as(run + " with " + r.get("subflows")).isEqualTo(n);
            }
            for (String cpu : List.of("mptcp4j_send_sender_cpu_s_per_gb", "mptcp4j_recv_receiver_cpu_s_per_gb",
                    "kernel_sender_cpu_s_per_gb", "kernel_receiver_cpu_s_per_gb")) {
                assertThat(number(r, cpu)).as(cpu + " with " + r.get("subflows")).isPositive().isFinite();
            }
        }
        assertThat(out.resolve("cpu.png")).isNotEmptyFile();
        assertThat(Files.readString(out.resolve("cpu.md"))).contains("| 1 |", "| 2 |", "the receiver is busier");
    }

    private static double number(Map<String, String> row, String column) {
        assertThat(row).containsKey(column);
        return Double.parseDouble(row.get(column));
    }

    private static List<Map<String, String>> csv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        String[] header = lines.getFirst().split(",");
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",");
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.length; i++) {
                row.put(header[i], v[i]);
            }
            rows.add(row);
        }
        return rows;
    }
}
