package org.mptcp4j.net.testbed;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The kernel's SNMP/netstat counters in a namespace, as {@code nstat -az} prints them. */
public final class Nstat {
    private Nstat() {}

    /** All counters (absolute values) of {@code namespace}. */
    public static Map<String, Long> read(String namespace) throws IOException {
        String out = Shell.run("ip", "netns", "exec", namespace, "nstat", "-asz", "--json");
        Map<String, Long> counters = new LinkedHashMap<>();
        var m = java.util.regex.Pattern.compile("\"([A-Za-z0-9]+)\":(\\d+)").matcher(out);
        while (m.find()) {
            counters.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return counters;
    }

    /** {@code after - before} per counter, zero where unchanged. */
    public static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> d = new LinkedHashMap<>();
        after.forEach((k, v) -> d.put(k, v - before.getOrDefault(k, 0L)));
        return d;
    }
}
