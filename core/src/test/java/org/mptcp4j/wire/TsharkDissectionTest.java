package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mptcp4j.pcap.PcapWriter;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * An independent decoder checks ours: segments carrying every MPTCP option variant of RFC 8684
 * section 3 (and the TCP options next to them), over IPv4 and IPv6, are written to a pcap and
 * dissected by tshark. Each field must read back as the value encoded, both checksums must verify,
 * and no malformed-packet or error-level expert info may appear.
 *
 * <p>Without tshark the test is skipped, except when {@code CI=true}: then a missing tshark fails.
 */
class TsharkDissectionTest {
    private static final List<String> CHECKSUM_PREFS = List.of("-o", "tcp.check_checksum:TRUE", "-o", "ip.check_checksum:TRUE",
            "-o", "tcp.relative_sequence_numbers:FALSE");

    @BeforeAll
    static void requireTshark() {
        boolean present;
        try {
            Process p = new ProcessBuilder("tshark", "-v").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            present = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            present = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            present = false;
        }
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("tshark is required in CI (CI=true) for the dissection test: install the tshark package");
        }
        Assumptions.assumeTrue(present, "tshark not installed: dissection test skipped (it fails when CI=true)");
    }

    @Test
    void tsharkDecodesEveryVariant_toTheEncodedValues(@TempDir Path dir) throws Exception {
        List<MptcpVariants.Case> cases = MptcpVariants.all();
        Path pcap = dir.resolve("variants.pcap");
        try (OutputStream out = Files.newOutputStream(pcap); PcapWriter w = new PcapWriter(out)) {
            long t = 1_700_000_000_000_000_000L;
            for (MptcpVariants.Case c : cases) {
                w.write(t += 1_000_000, ByteBuffer.wrap(TcpPackets.toBytes(c.ip(), c.segment())));
            }
        }

        String text = tshark(pcap, "-V");
        assertThat(text).doesNotContain("Malformed").doesNotContain("[Expert Info (Error").doesNotContain("[Checksum Status: Bad]")
                .doesNotContain("[Header checksum status: Bad]");

        String pdml = tshark(pcap, "-T", "pdml");
        List<Map<String, List<String>>> frames = pdmlFields(pdml, "show");
        List<String> raws = pdmlFields(pdml, "value").stream().map(f -> f.getOrDefault("tcp.options", List.of("")).getFirst()).toList();
        assertThat(frames).hasSize(cases.size());
        for (int i = 0; i < cases.size(); i++) {
            MptcpVariants.Case c = cases.get(i);
            Map<String, List<String>> actual = frames.get(i);
            assertThat(actual.get("tcp.checksum.status")).as("%s: TCP checksum status (1 = good)", c.name()).containsExactly("1");
            if (c.ip() instanceof IpHeader.V4) {
                assertThat(actual.get("ip.checksum.status")).as("%s: IPv4 checksum status", c.name()).containsExactly("1");
            }
            assertThat(actual).as("%s", c.name()).doesNotContainKey("_ws.malformed");
            assertThat(actual.getOrDefault("_ws.expert.severity", List.of())).as("%s: expert severities", c.name())
                    .doesNotContain(String.valueOf(0x0080_0000)); // PI_ERROR
            for (Map.Entry<String, List<String>> e : c.expected().entrySet()) {
                if (e.getKey().equals(MptcpVariants.RAW_OPTIONS)) {
                    assertThat(raws.get(i)).as("%s: raw option bytes", c.name()).endsWith(e.getValue().getFirst());
                    continue;
                }
                assertThat(actual.get(e.getKey())).as("%s: %s (frame %d)", c.name(), e.getKey(), i + 1).isEqualTo(e.getValue());
            }
        }
    }

    /** ICMP "fragmentation needed" and ICMPv6 "packet too big" as a simulated router writes them. */
    @Test
    void tsharkDecodesIcmpPacketTooBig_withGoodChecksums(@TempDir Path dir) throws Exception {
        Inet4Address host = (Inet4Address) InetAddress.getByName("10.0.0.1");
        Inet6Address host6 = (Inet6Address) InetAddress.getByName("fd00::1");
        List<byte[]> packets = new ArrayList<>();
        for (IpHeader original : List.of(
                IpHeader.V4.of(host, (Inet4Address) InetAddress.getByName("10.9.0.1"), IpHeader.PROTOCOL_TCP),
                IpHeader.V6.of(host6, (Inet6Address) InetAddress.getByName("fd09::1"), IpHeader.PROTOCOL_TCP))) {
            TcpSegment seg = new TcpSegment(40000, 5001, 1000, 1, TcpFlags.ACK, 500, 0, List.of(),
                    ByteBuffer.wrap(new byte[1460 - (original.headerLength() - 20)]));
            byte[] quoted = TcpPackets.toBytes(original, seg);
            IpHeader ip = IcmpCodec.errorHeader(InetAddress.getByName(original instanceof IpHeader.V4 ? "10.0.0.254" : "fd00::fe"),
                    original.source());
            ByteBuffer out = ByteBuffer.allocate(IcmpCodec.encodedLength(ip, quoted.length));
            IcmpCodec.encodePacketTooBig(ip, 1280, ByteBuffer.wrap(quoted), out);
            packets.add(out.array());
        }
        Path pcap = dir.resolve("icmp.pcap");
        try (OutputStream out = Files.newOutputStream(pcap); PcapWriter w = new PcapWriter(out)) {
            long t = 1_700_000_000_000_000_000L;
            for (byte[] p : packets) {
                w.write(t += 1_000_000, ByteBuffer.wrap(p));
            }
        }

        List<Map<String, List<String>>> frames = pdmlFields(tshark(pcap, "-T", "pdml"), "show");

        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).get("icmp.type")).containsExactly("3");
        assertThat(frames.get(0).get("icmp.code")).containsExactly("4");
        assertThat(frames.get(0).get("icmp.mtu")).containsExactly("1280");
        assertThat(frames.get(0).get("icmp.checksum.status")).as("ICMP checksum status (1 = good)").containsExactly("1");
        assertThat(frames.get(1).get("icmpv6.type")).containsExactly("2");
        assertThat(frames.get(1).get("icmpv6.mtu")).containsExactly("1280");
        assertThat(frames.get(1).get("icmpv6.checksum.status")).as("ICMPv6 checksum status (1 = good)").containsExactly("1");
        for (Map<String, List<String>> f : frames) {
            assertThat(f).doesNotContainKey("_ws.malformed");
        }
    }

    private static String tshark(Path pcap, String... format) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString()));
        cmd.addAll(CHECKSUM_PREFS);
        cmd.addAll(List.of(format));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("tshark finished").isTrue();
        assertThat(p.exitValue()).as("tshark exit status for %s", cmd).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    /** Per packet: every field's name mapped to its values of {@code attribute} ("show", "value"), in document order. */
    private static List<Map<String, List<String>>> pdmlFields(String pdml, String attribute) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(new java.io.ByteArrayInputStream(pdml.getBytes(StandardCharsets.UTF_8)));
        List<Map<String, List<String>>> frames = new ArrayList<>();
        NodeList packets = doc.getElementsByTagName("packet");
        for (int i = 0; i < packets.getLength(); i++) {
            Map<String, List<String>> fields = new LinkedHashMap<>();
            Element packet = (Element) packets.item(i);
            for (String tag : List.of("proto", "field")) {
                NodeList nodes = packet.getElementsByTagName(tag);
                for (int k = 0; k < nodes.getLength(); k++) {
                    Element e = (Element) nodes.item(k);
                    fields.computeIfAbsent(e.getAttribute("name"), n -> new ArrayList<>()).add(e.getAttribute(attribute));
                }
            }
            frames.add(fields);
        }
        return frames;
    }
}
