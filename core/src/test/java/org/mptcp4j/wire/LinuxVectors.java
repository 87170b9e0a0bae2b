package org.mptcp4j.wire;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mptcp4j.pcap.PcapReader;

/**
 * The capture of two Linux 6.18 kernels speaking MPTCP v1 and the values read from it
 * (src/test/resources/vectors, copied from the project's shared vectors). The JSON is flat enough
 * that its fields are picked by name; a missing one fails loudly.
 */
public final class LinuxVectors {
    private LinuxVectors() {}

    public static final String JSON = "/vectors/linux-6.18-mptcp-v1.json";
    public static final String PCAP = "/vectors/linux-6.18-mptcp-v1.pcap";

    public static byte[] resource(String name) {
        try (InputStream in = LinuxVectors.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource missing: " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String json() {
        return new String(resource(JSON), StandardCharsets.UTF_8);
    }

    /** The string value of the first {@code "name": "value"} in the JSON after {@code section}. */
    public static String field(String section, String name) {
        String json = json();
        int from = json.indexOf("\"" + section + "\"");
        if (from < 0) {
            throw new IllegalStateException("no section " + section);
        }
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"?([^\",}]*)\"?").matcher(json);
        if (!m.find(from)) {
            throw new IllegalStateException("no field " + section + "." + name);
        }
        return m.group(1).trim();
    }

    /** An unsigned decimal 64-bit value. */
    public static long u64(String section, String name) {
        return Long.parseUnsignedLong(field(section, name));
    }

    public static int u32(String section, String name) {
        return Integer.parseUnsignedInt(field(section, name));
    }

    /** The kernel HMAC unit-test cases: {key_ascii, msg_ascii, hmac hex}. */
    public static List<String[]> kernelHmacCases() {
        Matcher m = Pattern.compile("\\{\"key_ascii\": \"([^\"]*)\", \"msg_ascii\": \"([^\"]*)\", \"hmac\": \"([0-9a-f]*)\"}").matcher(json());
        List<String[]> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2), m.group(3)});
        }
        return out;
    }

    public static List<PcapReader.Packet> packets() {
        return PcapReader.read(resource(PCAP)).orElseThrow();
    }
}
