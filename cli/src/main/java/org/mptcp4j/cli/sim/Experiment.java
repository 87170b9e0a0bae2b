package org.mptcp4j.cli.sim;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One of the paper's experiments: a list of independent runs (each its own {@code Simulation},
 * deterministic per seed), what one run measures, and the report drawn from all of them.
 */
interface Experiment {
    /** The name on the command line ({@code fig4}, ...). */
    String name();

    /**
     * True for the experiments that run on the TUN testbed instead of the simulator (fig8, cpu):
     * they need root and run one at a time.
     */
    default boolean needsTestbed() {
        return false;
    }

    /** Seeds per point when the command line gives none. */
    int defaultSeeds(boolean quick);

    /** Simulated seconds per run when the command line gives none. */
    double defaultDurationSeconds(boolean quick);

    /** Every run of the sweep, in a fixed order (the run index is the position). */
    List<Run> runs(Settings settings);

    /** Simulates one run; the metrics come back by name, in a fixed order. */
    Map<String, Double> execute(Run run, Settings settings);

    /** Writes the chart and the markdown report from every run's row (the CSV is written by the caller). */
    void report(Settings settings, List<ResultTable.Row> rows, Path outDir) throws IOException;

    /**
     * One run: its position in the sweep, its parameters (ordered; they name the point of the
     * figure it belongs to) and its seed.
     */
    record Run(int index, Map<String, String> params, long seed) {}
}
