package org.mptcp4j.net.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The CPU time this JVM's Java threads spent between two moments: the reactor that runs the stack
 * and does the TUN system calls, and the application threads that write and read the sockets. It is
 * {@link ThreadMXBean#getThreadCpuTime} (the thread's CPU clock, user and system) summed over the
 * threads alive at the end; JIT compiler and GC threads are not Java threads and do not count (the
 * process total, which has them, comes beside it). A thread that ended in between is lost, so take
 * the second snapshot before closing the host whose reactor is measured.
 *
 * <p>System time is whatever the kernel did in those threads' context: the TUN {@code read}/{@code
 * write} calls, and with them the forwarding and, when it runs in the same softirq, the peer's
 * receive processing. User time is mptcp4j's own work alone.
 */
public final class ThreadCpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, long[]> perThread;
    private final long processNanos;

    private ThreadCpu(Map<Long, long[]> perThread, long processNanos) {
        this.perThread = perThread;
        this.processNanos = processNanos;
    }

    /** CPU seconds over an interval: the Java threads' user and total (user + system), and the whole process's. */
    public record Usage(double userSeconds, double totalSeconds, double processSeconds) {
        public double systemSeconds() {
            return totalSeconds - userSeconds;
        }
    }

    /** The CPU clocks of every live Java thread and of the process, now. */
    public static ThreadCpu snapshot() {
        Map<Long, long[]> m = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long total = THREADS.getThreadCpuTime(id);
            long user = THREADS.getThreadUserTime(id);
            if (total >= 0 && user >= 0) {
                m.put(id, new long[] {user, total});
            }
        }
        long process = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
        return new ThreadCpu(m, process);
    }

    /** What was spent from {@code before} to this snapshot; a thread started in between counts from zero. */
    public Usage since(ThreadCpu before) {
        long user = 0;
        long total = 0;
        for (var e : perThread.entrySet()) {
            long[] then = before.perThread.getOrDefault(e.getKey(), new long[2]);
            user += e.getValue()[0] - then[0];
            total += e.getValue()[1] - then[1];
        }
        return new Usage(user / 1e9, total / 1e9, (processNanos - before.processNanos) / 1e9);
    }
}
