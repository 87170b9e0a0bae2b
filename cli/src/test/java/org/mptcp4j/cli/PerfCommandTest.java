package org.mptcp4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.stack.StackConfig;

/** {@code perf --mode udp}: MPTCP between two mptcp4j stacks over loopback UDP, unprivileged. */
class PerfCommandTest {

    @Test
    void udp_subflowEndpoint_twoSubflowsCarryTheStreamIntact() {
        Out out = run("perf", "--mode", "udp", "--bytes", "16000000", "--endpoint", "127.0.0.3,subflow", "--limits", "1,0",
                "--udp-rate", "50", "--udp-delay", "2");
        assertThat(out.code).as(out.text).isZero();
        assertThat(out.text).contains("endpoint 127.0.0.3 id 1 subflow, limits subflows 1 add_addr_accepted 0",
                "mptcp4j -> mptcp4j (UDP loopback, 2 subflows)", "receiver's MPTCP_INFO: MPTCP, 16000000 bytes");
        List<String> subflows = out.text.lines().filter(l -> l.startsWith("  subflow /127.0.0.")).toList();
        assertThat(subflows).as(out.text).hasSize(2);
        assertThat(subflows.get(0)).startsWith("  subflow /127.0.0.1:");
        assertThat(subflows.get(1)).startsWith("  subflow /127.0.0.3:");
        for (String line : subflows) {
            long dataBytes = Long.parseLong(line.replaceAll(".*: ([0-9]+) data bytes.*", "$1"));
            assertThat(dataBytes).as("two 50 Mbit/s paths share the stream: %s", line).isGreaterThan(16_000_000 / 8);
        }
        assertThat(out.text.lines().filter(l -> l.startsWith("mptcp4j -> mptcp4j")).toList())
                .singleElement().asString().endsWith("equal");
    }

    @Test
    void udp_ndiffports_threeSubflowsFromDistinctPorts_monitorPrintsTheirEvents() {
        Out out = run("perf", "--mode", "udp", "--bytes", "8000000", "--path-manager", "ndiffports", "--ndiffports", "3",
                "--monitor");
        assertThat(out.code).as(out.text).isZero();
        assertThat(out.text).contains("path manager ndiffports (3 subflows)", "mptcp4j -> mptcp4j (UDP loopback, 3 subflows)");
        List<String> client = out.text.lines().filter(l -> l.startsWith("client:")).toList();
        List<String> server = out.text.lines().filter(l -> l.startsWith("server:")).toList();
        assertThat(client).as(out.text).anySatisfy(l -> assertThat(l).matches(
                "client: +\\[ +CREATED\\] token=[0-9a-f]{8} remid=0 locid=0 saddr4=127\\.0\\.0\\.1 daddr4=127\\.0\\.0\\.2 sport=[0-9]+ dport=5201"));
        assertThat(client.stream().filter(l -> l.contains("[SF_ESTABLISHED]")).map(l -> l.replaceAll(".*sport=([0-9]+).*", "$1"))
                .distinct()).as(out.text).hasSize(2);
        assertThat(server).as(out.text).anySatisfy(l -> assertThat(l).contains("[   ESTABLISHED]", "flags=2"));
        assertThat(out.text.lines().filter(l -> l.startsWith("mptcp4j -> mptcp4j")).toList())
                .singleElement().asString().endsWith("equal");
    }

    @Test
    void pathManager_reachesTheStackConfig_andUnknownNamesAreRefused() {
        MptcpOptions o = new MptcpOptions();
        assertThat(o.apply(StackConfig.defaults()).mptcp().pathManager()).isEqualTo("kernel");
        o.pm.pathManager = "fullmesh";
        assertThat(o.apply(StackConfig.defaults()).mptcp().pathManager()).isEqualTo("fullmesh");
        o.pm.pathManager = "binder";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.apply(StackConfig.defaults()))
                .hasMessageContaining("--path-manager binder").hasMessageContaining("ndiffports");
    }

    @Test
    void udp_noMptcp_plainTcp() {
        Out out = run("perf", "--mode", "udp", "--bytes", "2000000", "--no-mptcp");
        assertThat(out.code).as(out.text).isZero();
        assertThat(out.text).contains("MPTCP off", "receiver's MPTCP_INFO: PLAIN");
    }

    @Test
    void endpointAndLimits_reachTheStackConfig() {
        MptcpOptions o = new MptcpOptions();
        o.endpoints = List.of("198.18.2.1,subflow", "198.18.3.1,id=7,signal,backup,port=5202");
        o.limits = "2,1";
        StackConfig c = o.apply(StackConfig.defaults());
        assertThat(c.mptcpEnabled()).isTrue();
        assertThat(c.mptcp().limits()).isEqualTo(new Limits(2, 1));
        assertThat(c.mptcp().endpoints()).extracting(Endpoint::id, e -> e.address().getHostAddress(), Endpoint::port)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "198.18.2.1", 0),
                        org.assertj.core.groups.Tuple.tuple(7, "198.18.3.1", 5202));
        assertThat(c.mptcp().endpoints().get(1).flags()).containsExactlyInAnyOrder(Endpoint.Flag.SIGNAL, Endpoint.Flag.BACKUP);
        o.noMptcp = true;
        assertThat(o.apply(StackConfig.defaults()).mptcpEnabled()).isFalse();
    }

    @Test
    void cc_reachesTheStackConfig_andUnknownNamesAreRefused() {
        MptcpOptions o = new MptcpOptions();
        assertThat(o.apply(StackConfig.defaults()).congestionControl()).isEqualTo("cubic");
        o.congestionControl = "lia";
        assertThat(o.apply(StackConfig.defaults()).congestionControl()).isEqualTo("lia");
        assertThat(o.describe()).contains("congestion control lia");
        o.congestionControl = "wvegas";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.apply(StackConfig.defaults()))
                .hasMessageContaining("--cc wvegas").hasMessageContaining("olia");
    }

    /**
     * {@code --scheduler redundant --scheduler-trace FILE}: the stream arrives whole, both subflows
     * carry it (every byte on each), and the trace holds the sending host's decisions, copies among them.
     */
    @Test
    void udp_redundantScheduler_traceWritten(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path trace = dir.resolve("sched.csv");
        Out out = run("perf", "--mode", "udp", "--bytes", "4000000", "--endpoint", "127.0.0.3,subflow", "--limits", "1,0",
                "--udp-rate", "50", "--udp-delay", "2", "--scheduler", "redundant", "--scheduler-trace", trace.toString());
        assertThat(out.code).as(out.text).isZero();
        assertThat(out.text).contains("scheduler redundant", "Scheduler trace: " + trace);
        assertThat(out.text.lines().filter(l -> l.startsWith("mptcp4j -> mptcp4j")).toList())
                .singleElement().asString().endsWith("equal");
        List<String> rows = java.nio.file.Files.readAllLines(trace);
        assertThat(rows.getFirst()).isEqualTo(org.mptcp4j.mptcp.SchedulerTraceCsv.HEADER);
        assertThat(rows).as("copies on the second subflow").anyMatch(r -> r.contains(",redundant,copy,"));
    }

    @Test
    void unknownScheduler_refusedWithTheNames() {
        MptcpOptions o = new MptcpOptions();
        o.scheduler = "fastest";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> o.apply(StackConfig.defaults()))
                .hasMessageContaining("--scheduler fastest").hasMessageContaining("ecf");
        o.scheduler = "roundrobin:4";
        assertThat(o.apply(StackConfig.defaults()).mptcp().scheduler()).isEqualTo("roundrobin:4");
    }

    private record Out(int code, String text) {}

    private static Out run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            return new Out(Main.run(args), buf.toString());
        } finally {
            System.setOut(saved);
        }
    }
}
