package org.mptcp4j.cc;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Creates one {@link CongestionController} per subflow (quinn: {@code ControllerFactory}; Linux:
 * the {@code tcp_congestion_control} sysctl naming a registered {@code tcp_congestion_ops}).
 */
public interface ControllerFactory {

    /**
     * A controller for a new subflow.
     *
     * @param group the subflows whose windows are coupled (a group of one for plain TCP); the new
     *     controller joins it
     * @param nowNanos the current time
     * @param mss the subflow's maximum segment size in bytes (payload, without options)
     */
    CongestionController create(CoupledGroup group, long nowNanos, int mss);

    /** The name under which {@link #byName} finds this factory. */
    String name();

    /** RFC 5681 Reno with RFC 6928's initial window (10 segments of up to 1460 bytes). */
    static ControllerFactory reno() {
        return CongestionAlgorithm.RENO.factory();
    }

    /** RFC 9438 CUBIC with RFC 6928's initial window (10 segments of up to 1460 bytes). */
    static ControllerFactory cubic() {
        return CongestionAlgorithm.CUBIC.factory();
    }

    /** The built-in algorithms ({@link CongestionAlgorithm}), by {@link #name()}. */
    static List<ControllerFactory> builtIn() {
        return Arrays.stream(CongestionAlgorithm.values()).map(CongestionAlgorithm::factory).toList();
    }

    /** The built-in algorithm with this name ("reno", "cubic", "lia", "lia-exact", "olia", "balia"). */
    static Optional<ControllerFactory> byName(String name) {
        return CongestionAlgorithm.byName(name).map(CongestionAlgorithm::factory);
    }
}
