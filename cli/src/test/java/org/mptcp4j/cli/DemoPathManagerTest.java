package org.mptcp4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./mptcp4j demo --path-manager NAME --monitor --plot PNG}: what a user sees of the path managers. */
class DemoPathManagerTest {
    /** {@code ip mptcp monitor}'s line after the time and the host. */
    private static final String MONITOR_LINE =
            " +[0-9]+\\.[0-9]{3} s (source|destination): +\\[ *[A-Z_]+\\] token=[0-9a-f]{8}( [a-z0-9]+=[0-9a-f.:]+)*";

    @Test
    void fullmesh_monitor_printsEachHostsEventsAsIpMptcpMonitor_andFourSubflows(@TempDir Path dir) throws IOException {
        Path png = dir.resolve("timeline.png");
        MainTest.Out out = MainTest.run("demo", "--megabytes", "4", "--seed", "7", "--path-manager", "fullmesh", "--monitor",
                "--plot", png.toString());

        assertThat(out.code()).as(out.text()).isZero();
        assertThat(out.text()).contains("Connection: MPTCP, 4 subflows").containsPattern("SHA-256 received [0-9a-f]{64}  equal");
        List<String> events = out.text().lines().filter(l -> l.matches(" +[0-9.]+ s (source|destination):.*")).toList();
        assertThat(events).as(out.text()).allSatisfy(l -> assertThat(l).matches(MONITOR_LINE));
        List<String> source = events.stream().filter(l -> l.contains("source:")).map(l -> l.replaceAll(".*\\[ *([A-Z_]+)\\].*", "$1"))
                .toList();
        assertThat(source).as(out.text()).startsWith("CREATED", "ESTABLISHED", "ANNOUNCED")
                .containsOnlyOnce("ANNOUNCED").filteredOn("SF_ESTABLISHED"::equals).hasSize(3);
        assertThat(events).as(out.text()).anySatisfy(l -> assertThat(l).contains("destination:", "[   ESTABLISHED]", "flags=2"));

        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("a PNG at %s", png).isNotNull();
        assertThat(image.getWidth()).isEqualTo(960);
        assertThat(image.getHeight()).isEqualTo(640);
        assertThat(out.text()).contains("Timeline: " + png);
    }

    @Test
    void unknownPathManager_isRefusedWithTheNames() {
        MainTest.Out out = MainTest.run("demo", "--megabytes", "1", "--path-manager", "binder");

        assertThat(out.code()).isEqualTo(2);
        assertThat(out.text()).doesNotContain("Connection:");
    }
}
