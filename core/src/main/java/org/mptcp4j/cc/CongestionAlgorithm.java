package org.mptcp4j.cc;

import java.util.Optional;

/**
 * The built-in congestion control algorithms, by the names the multipath-tcp.org Linux kernel
 * registered them under ({@code sysctl net.ipv4.tcp_congestion_control=lia}). Uncoupled ones run
 * each subflow as a TCP of its own; coupled ones link the subflows of an MPTCP connection through
 * its {@link CoupledGroup} and, on a connection with a single path (plain TCP, or MPTCP with one
 * subflow), behave as Reno.
 */
public enum CongestionAlgorithm {
    /** RFC 5681 Reno, uncoupled. */
    RENO("reno", false),
    /** RFC 9438 CUBIC, uncoupled (the stack's default, as in Linux). */
    CUBIC("cubic", false),
    /** RFC 6356 LIA as the paper implements it in the kernel: integer arithmetic ({@link Lia}). */
    LIA("lia", true),
    /** RFC 6356 LIA in exact arithmetic ({@link LiaExact}); not a kernel name: the ablation of {@link #LIA}. */
    LIA_EXACT("lia-exact", true),
    /** OLIA, Khalili et al. CoNEXT 2012 ({@link Olia}). */
    OLIA("olia", true),
    /** BALIA, Peng et al. IEEE/ACM ToN 2016 ({@link Balia}). */
    BALIA("balia", true);

    private final String id;
    private final boolean coupled;

    CongestionAlgorithm(String id, boolean coupled) {
        this.id = id;
        this.coupled = coupled;
    }

    /** The name, as {@code ss -i} prints it and {@link #byName} reads it. */
    public String id() {
        return id;
    }

    /** Whether the algorithm links the windows of a connection's subflows (RFC 6356). */
    public boolean isCoupled() {
        return coupled;
    }

    /** A factory creating this algorithm's controller for each subflow. */
    public ControllerFactory factory() {
        return new ControllerFactory() {
            public CongestionController create(CoupledGroup group, long nowNanos, int mss) {
                int iw = Reno.initialWindowSegments(mss);
                CongestionController c = switch (CongestionAlgorithm.this) {
                    case RENO -> new Reno(mss, iw);
                    case CUBIC -> new Cubic(mss, iw);
                    case LIA -> new Lia(group, mss, iw);
                    case LIA_EXACT -> new LiaExact(group, mss, iw);
                    case OLIA -> new Olia(group, mss, iw);
                    case BALIA -> new Balia(group, mss, iw);
                };
                return group.join(c);
            }

            public String name() {
                return id;
            }
        };
    }

    /** The algorithm with this name ("reno", "cubic", "lia", "lia-exact", "olia", "balia"). */
    public static Optional<CongestionAlgorithm> byName(String name) {
        for (CongestionAlgorithm a : values()) {
            if (a.id.equals(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** The names, comma-separated, for help texts and error messages. */
    public static String names() {
        StringBuilder b = new StringBuilder();
        for (CongestionAlgorithm a : values()) {
            b.append(b.isEmpty() ? "" : ", ").append(a.id);
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return id;
    }
}
