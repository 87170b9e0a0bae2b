package org.mptcp4j.bench.cc;

import java.util.concurrent.TimeUnit;
import org.mptcp4j.base.Rng;
import org.mptcp4j.cc.Lia;
import org.mptcp4j.cc.LiaExact;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * RFC 6356's alpha for two subflows, computed alone: the paper's integer equation (1)
 * ({@link Lia#alphaScaled}) against exact arithmetic ({@link LiaExact#alpha}), over 1024 seeded
 * inputs (windows 1 to 10000 segments, RTTs 100 us to 1 s) taken in turn.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LiaAlphaBenchmark {
    private static final int INPUTS = 1024;

    private final long[][] cwnds = new long[INPUTS][2];
    private final long[][] rttsMicros = new long[INPUTS][2];
    private final double[][] cwndsExact = new double[INPUTS][2];
    private final double[][] rttsSeconds = new double[INPUTS][2];
    private int next;

    @Setup
    public void setUp() {
        Rng rng = Rng.seeded(6356);
        for (int k = 0; k < INPUTS; k++) {
            for (int i = 0; i < 2; i++) {
                cwnds[k][i] = Math.round(Math.pow(10, 4 * rng.nextDouble()));
                rttsMicros[k][i] = Math.round(100 * Math.pow(10, 4 * rng.nextDouble()));
                cwndsExact[k][i] = cwnds[k][i];
                rttsSeconds[k][i] = rttsMicros[k][i] / 1e6;
            }
        }
    }

    @Benchmark
    public long fixedPoint() {
        int k = next++ & (INPUTS - 1);
        return Lia.alphaScaled(cwnds[k], rttsMicros[k], 2);
    }

    @Benchmark
    public double exact() {
        int k = next++ & (INPUTS - 1);
        return LiaExact.alpha(cwndsExact[k], rttsSeconds[k], 2);
    }
}
