package org.mptcp4j.cli.iperf3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's user and system CPU time, from {@code /proc/self/stat} as iperf3's cpu_util reads
 * getrusage: the results exchange carries both as percentages of the test's wall time.
 */
record CpuTimes(long wallNanos, long userNanos, long systemNanos) {
    /** USER_HZ: the unit of utime and stime in /proc/PID/stat, 100 on every Linux architecture in use. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    static CpuTimes now() {
        long wall = System.nanoTime();
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // The command name in parentheses may hold spaces: count the fields after its closing one.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new CpuTimes(wall, Long.parseLong(f[11]) * NANOS_PER_TICK, Long.parseLong(f[12]) * NANOS_PER_TICK);
        } catch (IOException | RuntimeException notLinux) {
            long total = ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
            return new CpuTimes(wall, total, 0);
        }
    }

    /** Percentages of {@code since}..this: total, user, system. */
    double[] percentSince(CpuTimes since) {
        double wall = Math.max(1, wallNanos - since.wallNanos);
        double user = 100.0 * (userNanos - since.userNanos) / wall;
        double system = 100.0 * (systemNanos - since.systemNanos) / wall;
        return new double[] {user + system, user, system};
    }
}
