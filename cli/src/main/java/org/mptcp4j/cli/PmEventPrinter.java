package org.mptcp4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.mptcp.PmEvent;

/**
 * {@code --monitor} of {@code perf}: prints a host's path-manager events as {@code ip mptcp
 * monitor} prints them, each line after the host's name, from a virtual thread that polls the
 * host every {@link #POLL_MILLIS} ms; closing it prints what is left and stops.
 */
final class PmEventPrinter implements AutoCloseable {
    static final long POLL_MILLIS = 20;

    private final MptcpHost host;
    private final String name;
    private final PrintStream out;
    private final Thread thread;
    private volatile boolean running = true;

    private PmEventPrinter(MptcpHost host, String name, PrintStream out) throws IOException {
        this.host = host;
        this.name = name;
        this.out = out;
        host.setPmMonitor(true);
        this.thread = Thread.ofVirtual().name("pm-monitor-" + name).start(this::loop);
    }

    static PmEventPrinter start(MptcpHost host, String name, PrintStream out) throws IOException {
        return new PmEventPrinter(host, name, out);
    }

    private void loop() {
        try {
            while (running) {
                print();
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException stopped) {
            // The host stopped: nothing more will come.
        }
    }

    private synchronized void print() throws IOException {
        for (PmEvent e : host.pollPmEvents()) {
            out.printf("%-8s %s%n", name + ":", e.toMonitorLine());
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
            print();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException stopped) {
            // Already stopped: what it had was printed.
        }
    }
}
