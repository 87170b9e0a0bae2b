package org.mptcp4j.mib;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A set of counters, one {@code long} per {@link MibCounter}, owned by one stack (single-threaded,
 * like everything in core). A driver reads it through {@link #snapshot()}.
 */
public final class Mib {
    private final long[] values = new long[MibCounter.values().length];

    public void increment(MibCounter counter) {
        values[counter.ordinal()]++;
    }

    public void add(MibCounter counter, long delta) {
        values[counter.ordinal()] += delta;
    }

    public long get(MibCounter counter) {
        return values[counter.ordinal()];
    }

    /** The non-zero counters by nstat name, in declaration order. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (MibCounter c : MibCounter.values()) {
            long v = values[c.ordinal()];
            if (v != 0) {
                out.put(c.nstatName(), v);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
