package org.mptcp4j.net.perf;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.net.testbed.KernelPeer;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

@EnabledIfEnvironmentVariable(named = "SCRATCH_TB", matches = ".+")
class ScratchLossDebugTest {
    @Test
    void upload() throws Exception {
        Testbed t = Testbed.find(System.getenv("SCRATCH_TB")).orElseThrow();
        TestbedLayout l = t.layout();
        try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--bind", l.kernelAddressA().getHostAddress(),
                "--port", "5999", "--timeout", "60");
                MptcpHost host = MptcpHost.start("dbg", StackConfig.defaults(), new SecureRng(),
                        new TunLink(t.openTun(true, true), true), List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()), null, null)) {
            server.awaitListening();
            Map<String, Long> before = host.counters();
            try (MptcpSocket s = new MptcpSocket(host)) {
                s.bind(new InetSocketAddress(l.mptcp4jAddressA(), 0));
                s.connect(new InetSocketAddress(l.kernelAddressA(), 5999), 10_000);
                Thread mon = Thread.ofVirtual().start(() -> {
                    try {
                        while (true) {
                            Thread.sleep(300);
                            System.out.println("INFO " + s.info());
                        }
                    } catch (Exception e) {
                    }
                });
                java.io.OutputStream raw = s.getOutputStream();
                long[] blocked = new long[2];
                java.io.OutputStream timed = new java.io.OutputStream() {
                    public void write(int b) throws java.io.IOException { raw.write(b); }
                    public void write(byte[] b, int o, int l) throws java.io.IOException {
                        long t0 = System.nanoTime(); raw.write(b, o, l); blocked[0] += System.nanoTime() - t0; blocked[1]++;
                    }
                };
                long start = System.nanoTime();
                Transfers.send(timed, Long.parseLong(System.getenv().getOrDefault("SCRATCH_BYTES", "100000000")), 1, Long.MAX_VALUE);
                System.out.println("WRITES " + blocked[1] + " in write() ms " + blocked[0] / 1e6 + " of total ms " + (System.nanoTime() - start) / 1e6);
                s.shutdownOutput();
                Transfers.receive(s.getInputStream());
                mon.interrupt();
            }
            System.out.println("SERVER " + server.awaitResult(60));
            Map<String, Long> after = host.counters(); after.forEach((k, v) -> { long d = v - before.getOrDefault(k, 0L); if (d != 0) System.out.println("DELTA " + k + " " + d); });
        }
    }

    @Test
    void download() throws Exception {
        Testbed t = Testbed.find(System.getenv("SCRATCH_TB")).orElseThrow();
        TestbedLayout l = t.layout();
        for (int round = 0; round < Integer.parseInt(System.getenv().getOrDefault("SCRATCH_ROUNDS", "1")); round++) {
            try (KernelPeer server = KernelPeer.start(l.kernelNamespace(), "server", "--bind", l.kernelAddressA().getHostAddress(),
                    "--port", "5998", "--send", "100000000", "--timeout", "60");
                    MptcpHost host = MptcpHost.start("dbg", StackConfig.defaults(), new SecureRng(),
                            new TunLink(t.openTun(true, true), true), List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()), null, null)) {
                server.awaitListening();
                Map<String, Long> before = host.counters();
                Map<String, Long> kBefore = Nstat.read(l.kernelNamespace());
                Transfers.Result received;
                try (MptcpSocket s = new MptcpSocket(host)) {
                    s.bind(new InetSocketAddress(l.mptcp4jAddressA(), 0));
                    s.connect(new InetSocketAddress(l.kernelAddressA(), 5998), 10_000);
                    s.shutdownOutput();
                    received = Transfers.receive(s.getInputStream());
                    System.out.println("INFO " + s.info());
                }
                Map<String, String> k = server.awaitResult(60);
                Nstat.delta(kBefore, Nstat.read(l.kernelNamespace())).forEach((key, v) -> { if (v != 0 && (key.contains("Rst") || key.contains("Abort") || key.contains("Reset"))) System.out.println("DELTA kernel " + key + " " + v); });
                System.out.println("RESULT got " + received.bytes() + " " + received.sha256() + " kernel " + k);
                Map<String, Long> after = host.counters();
                after.forEach((key, v) -> { long d = v - before.getOrDefault(key, 0L); if (d != 0) System.out.println("DELTA " + key + " " + d); });
            }
        }
    }
}
