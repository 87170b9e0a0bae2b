package org.mptcp4j.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.mptcp4j.mptcp.SchedulerTraceCsv;

/**
 * {@code --scheduler-trace FILE}: the CSV of a run's scheduling decisions ({@link SchedulerTraceCsv}),
 * buffered, written as the stack decides and closed when the run is over.
 */
final class SchedulerTraceFile implements AutoCloseable {
    private final Path path;
    private final BufferedWriter writer;
    final SchedulerTraceCsv csv;

    private SchedulerTraceFile(Path path) throws IOException {
        this.path = path;
        this.writer = Files.newBufferedWriter(path);
        this.csv = new SchedulerTraceCsv(writer);
    }

    /** A trace to {@code path}, or null when no path is given (no trace: nothing is paid). */
    static SchedulerTraceFile open(Path path) throws IOException {
        return path == null ? null : new SchedulerTraceFile(path);
    }

    /** Closes the file and says what is in it. */
    void close(PrintStream out) throws IOException {
        close();
        out.printf("Scheduler trace: %s (%,d decisions%s)%n", path, csv.decisions(),
                csv.error() == null ? "" : ", cut short: " + csv.error().getMessage());
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
