package org.mptcp4j.net.testbed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.net.support.NetCapabilities;
import org.mptcp4j.net.support.PcapDssEditor;

/**
 * tshark's MPTCP analysis on the project's Linux 6.18 capture (one connection, three subflows, 40 KB
 * from the client), and on copies of it with one DSS mapping broken: the checker must see those.
 */
class MptcpAnalysisTest {
    /** Frame 30 carries 2048 bytes of payload with its own DSS mapping (DSN 16385, subflow sequence 16385). */
    private static final int DATA_FRAME = 30;

    @TempDir
    Path dir;

    @Test
    void linuxCapture_hasNoMappingProblems() throws Exception {
        NetCapabilities.requireProgram("tshark");
        MptcpAnalysis a = MptcpAnalysis.of(linuxCapture());

        assertThat(a.problems()).as(a.summary()).isEmpty();
        assertThat(a.clean()).isTrue();
        assertThat(a.tcpSegments()).isEqualTo(78);
        assertThat(a.mptcpSegments()).isEqualTo(78);
        assertThat(a.connections()).isEqualTo(1);
        assertThat(a.subflows()).isEqualTo(3);
        // 20 segments of 2048 bytes from the client, one of 2 bytes from the server, 8 DATA_FIN mappings.
        assertThat(a.dssMappings()).isEqualTo(29);
        assertThat(a.dssChecksums()).isZero();
        // 11 pure ACKs and FINs after the last mapping: tshark 4.0 flags them, a mapping covers payload only.
        assertThat(a.zeroLengthWithoutMapping()).isEqualTo(11);
    }

    @Test
    void payloadWhoseDssLostItsMapping_isReportedAsMissingMapping() throws Exception {
        NetCapabilities.requireProgram("tshark");
        Path broken = dir.resolve("no-mapping.pcap");
        PcapDssEditor.edit(linuxCapture(), broken, DATA_FRAME, PcapDssEditor.Edit.DROP_MAPPING);

        MptcpAnalysis a = MptcpAnalysis.of(broken);

        assertThat(a.clean()).isFalse();
        assertThat(a.problems()).singleElement().satisfies(p -> {
            assertThat(p.frame()).isEqualTo(DATA_FRAME);
            assertThat(p.field()).isEqualTo("mptcp.dss.missing_mapping");
            assertThat(p.message()).contains("No mapping available");
        });
    }

    @Test
    void mappingShiftedOffItsPayload_isReported() throws Exception {
        NetCapabilities.requireProgram("tshark");
        Path broken = dir.resolve("shifted.pcap");
        PcapDssEditor.edit(linuxCapture(), broken, DATA_FRAME, PcapDssEditor.Edit.SHIFT_SUBFLOW_SEQUENCE);

        MptcpAnalysis a = MptcpAnalysis.of(broken);

        // tshark's mapping code fails on a mapping that does not cover its own segment (a dissector assertion).
        assertThat(a.problems()).isNotEmpty().allSatisfy(p -> assertThat(p.frame()).isEqualTo(DATA_FRAME));
    }

    @Test
    void payloadOnAPortTsharkHasADissectorFor_isNotAProblem() throws Exception {
        NetCapabilities.requireProgram("tshark");
        // The client's port as if its kernel had picked 48049, CBSP's port: tshark's CBSP dissector
        // threw on an mptcp4j subflow's payload there (a join matrix run, 2026-12-02), and does on this one's.
        Path renumbered = dir.resolve("port-48049.pcap");
        renumberPort(linuxCapture(), renumbered, 34668, 48049);

        MptcpAnalysis a = MptcpAnalysis.of(renumbered);

        assertThat(a.problems()).as(a.summary()).isEmpty();
        assertThat(a.dssMappings()).isEqualTo(29);
    }

    @Test
    void dssChecksum_isReadFromTheOptionLength() {
        // Linux 6.18, DSS with Data ACK (4), DSN (8), subflow sequence, data-level length and checksum: 24 bytes.
        assertThat(MptcpAnalysis.dssHasChecksum("0101080a59e80e81cd901f201e18200da5738aaae7d2f08dfe310000000000017a605db2")).isTrue();
        // The same mapping without checksum (22 bytes, two NOPs to align), and a Data ACK alone (8 bytes).
        assertThat(MptcpAnalysis.dssHasChecksum("0101080a59e80e81cd901f201e16200da5738aaae7d2f08dfe310000000000017a600101")).isFalse();
        assertThat(MptcpAnalysis.dssHasChecksum("0101080acd901f3359e80e811e082001e7d2f08d")).isFalse();
    }

    /** Copies the raw-IPv4 pcap {@code in} to {@code out} with TCP port {@code from} replaced by {@code to} (checksums left as they are). */
    private static void renumberPort(Path in, Path out, int from, int to) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(in));
        int off = 24; // the pcap file header
        while (off < b.limit()) {
            int captured = b.order(ByteOrder.LITTLE_ENDIAN).getInt(off + 8);
            int ip = off + 16;
            int tcp = ip + (b.get(ip) & 0x0f) * 4;
            b.order(ByteOrder.BIG_ENDIAN);
            for (int port = tcp; port <= tcp + 2; port += 2) {
                if ((b.getShort(port) & 0xffff) == from) {
                    b.putShort(port, (short) to);
                }
            }
            off = ip + captured;
        }
        Files.write(out, b.array());
    }

    private Path linuxCapture() throws Exception {
        Path p = dir.resolve("linux-6.18-mptcp-v1.pcap");
        if (!Files.exists(p)) {
            try (var in = getClass().getResourceAsStream("/vectors/linux-6.18-mptcp-v1.pcap")) {
                Files.copy(in, p);
            }
        }
        return p;
    }
}
