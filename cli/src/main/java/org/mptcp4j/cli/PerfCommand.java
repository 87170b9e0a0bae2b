package org.mptcp4j.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.net.perf.Transfers;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.stack.StackConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./mptcp4j perf}: goodput and CPU cost of bulk transfers. {@code tun}: mptcp4j on the
 * testbed's TUN sends to a kernel server; {@code kernel}: the kernel in the mptcp4j namespace sends
 * to the same server over the same shaped path (the reference); {@code udp}: two mptcp4j stacks in
 * this process over loopback UDP. Every run checks SHA-256 at both ends.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "Bulk-transfer goodput: mptcp4j on the testbed's TUN vs the kernel (reference), or mptcp4j over loopback UDP.")
final class PerfCommand implements Callable<Integer> {
    @Option(names = "--mode", defaultValue = "tun,kernel", split = ",",
            description = "Comma-separated runs out of tun, kernel, udp (default ${DEFAULT-VALUE}).")
    List<String> modes;

    @Option(names = "--testbed", description = "Testbed id (from 'testbed up'); may be left out when one is up.")
    String testbedId;

    @Option(names = "--path", defaultValue = "A", description = "Testbed path A or B (default ${DEFAULT-VALUE}).")
    String path;

    @Option(names = "--bytes", defaultValue = "1000000000", description = "Bytes per run (default ${DEFAULT-VALUE}).")
    long bytes;

    @Option(names = "--port", defaultValue = "5201", description = "TCP port of the receiver (default ${DEFAULT-VALUE}).")
    int port;

    /** One measured run. */
    record Run(String what, long bytes, double seconds, double cpuSeconds, boolean shaEqual) {
        double goodputMbps() {
            return bytes * 8 / seconds / 1e6;
        }

        double cpuSecondsPerGb() {
            return cpuSeconds / (bytes / 1e9);
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Run> runs = new ArrayList<>();
        for (String mode : modes) {
            switch (mode.strip().toLowerCase(Locale.ROOT)) {
                case "tun" -> runs.add(tun(testbed()));
                case "kernel" -> runs.add(kernel(testbed()));
                case "udp" -> runs.add(udp());
                default -> {
                    System.err.println("unknown mode " + mode + " (tun, kernel, udp)");
                    return 2;
                }
            }
        }
        System.out.printf("%-34s %12s %10s %12s %8s%n", "run", "goodput", "seconds", "CPU s/GB", "sha256");
        for (Run r : runs) {
            System.out.printf(Locale.ROOT, "%-34s %8.1f Mb/s %10.2f %12.2f %8s%n",
                    r.what(), r.goodputMbps(), r.seconds(), r.cpuSecondsPerGb(), r.shaEqual() ? "equal" : "DIFFER");
        }
        return runs.stream().allMatch(Run::shaEqual) ? 0 : 1;
    }

    private Testbed testbed() throws IOException {
        if (testbedId != null) {
            return Testbed.find(testbedId).orElseThrow(() -> new IOException("no testbed " + testbedId));
        }
        List<Testbed> up = Testbed.list();
        if (up.size() != 1) {
            throw new IOException(up.isEmpty() ? "no testbed is up: ./mptcp4j testbed up" : "several testbeds are up: pass --testbed ID");
        }
        return up.getFirst();
    }

    private InetAddress kernelAddress(TestbedLayout l) {
        return path.equalsIgnoreCase("B") ? l.kernelAddressB() : l.kernelAddressA();
    }

    private InetAddress mptcp4jAddress(TestbedLayout l) {
        return path.equalsIgnoreCase("B") ? l.mptcp4jAddressB() : l.mptcp4jAddressA();
    }

    private Run tun(Testbed t) throws Exception {
        TestbedLayout l = t.layout();
        try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--bind", kernelAddress(l).getHostAddress(),
                "--port", Integer.toString(port), "--timeout", "600");
                MptcpHost host = MptcpHost.overTun("perf", StackConfig.defaults(), t.openTun(),
                        List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()))) {
            server.awaitListening();
            long cpuBefore = processCpuNanos();
            Transfers.Result sent;
            try (MptcpSocket s = new MptcpSocket(host)) {
                s.bind(new InetSocketAddress(mptcp4jAddress(l), 0));
                s.connect(new InetSocketAddress(kernelAddress(l), port), 10_000);
                sent = Transfers.send(s.getOutputStream(), bytes, 1);
                s.shutdownOutput();
                Transfers.receive(s.getInputStream());
            }
            Map<String, String> kernel = server.awaitResult(600);
            double cpu = (processCpuNanos() - cpuBefore) / 1e9;
            return new Run("mptcp4j(TUN) -> kernel, path " + path, bytes, Double.parseDouble(kernel.get("seconds")), cpu,
                    sent.sha256().equals(kernel.get("received_sha256")));
        }
    }

    private Run kernel(Testbed t) throws Exception {
        TestbedLayout l = t.layout();
        try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--bind", kernelAddress(l).getHostAddress(),
                "--port", Integer.toString(port), "--timeout", "600")) {
            server.awaitListening();
            try (KernelPeer client = KernelPeer.start(l.mptcp4jNamespace(), "client", "--connect", kernelAddress(l).getHostAddress(),
                    "--port", Integer.toString(port), "--send", Long.toString(bytes), "--timeout", "600")) {
                Map<String, String> c = client.awaitResult(600);
                Map<String, String> s = server.awaitResult(600);
                double cpu = Double.parseDouble(c.get("cpu_seconds")) + Double.parseDouble(s.get("cpu_seconds"));
                return new Run("kernel -> kernel, path " + path, bytes, Double.parseDouble(s.get("seconds")), cpu,
                        c.get("sent_sha256").equals(s.get("received_sha256")));
            }
        }
    }

    private Run udp() throws Exception {
        InetAddress a = InetAddress.getByName("127.0.0.1");
        InetAddress b = InetAddress.getByName("127.0.0.2");
        UdpDriver serverLink = UdpDriver.builder().local(b, 0).open();
        UdpDriver clientLink = UdpDriver.builder().local(a, 0).peer(b, serverLink.localSocketAddress(b)).open();
        serverLink.addPeer(a, clientLink.localSocketAddress(a));
        try (MptcpHost server = MptcpHost.start("perf-udp-server", StackConfig.defaults(), new SecureRng(), serverLink, List.of(b), null, null);
                MptcpHost client = MptcpHost.start("perf-udp-client", StackConfig.defaults(), new SecureRng(), clientLink, List.of(a), null, null);
                MptcpServerSocket listener = new MptcpServerSocket(server, new InetSocketAddress(b, port), 8)) {
            long cpuBefore = processCpuNanos();
            CompletableFuture<Transfers.Result> received = CompletableFuture.supplyAsync(() -> {
                try (MptcpSocket s = listener.accept()) {
                    return Transfers.receive(s.getInputStream());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofVirtual().start(r));
            Transfers.Result sent;
            try (MptcpSocket s = new MptcpSocket(client)) {
                s.connect(new InetSocketAddress(b, port), 10_000);
                sent = Transfers.send(s.getOutputStream(), bytes, 1);
                s.shutdownOutput();
                s.getInputStream().read();
            }
            Transfers.Result got = received.get(600, TimeUnit.SECONDS);
            double cpu = (processCpuNanos() - cpuBefore) / 1e9;
            return new Run("mptcp4j -> mptcp4j (UDP loopback)", bytes, got.nanos() / 1e9, cpu, got.sha256().equals(sent.sha256()));
        }
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
