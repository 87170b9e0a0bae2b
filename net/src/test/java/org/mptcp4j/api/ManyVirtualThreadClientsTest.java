package org.mptcp4j.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Fifty clients, each on a virtual thread, against a server with a virtual thread per connection:
 * every connection carries a stream each way at the same time (each end writes on one thread
 * while it reads on another), and every stream arrives with the SHA-256 it was sent with.
 */
class ManyVirtualThreadClientsTest {
    private static final long SEED = 50;
    private static final int CLIENTS = 50;
    private static final int BYTES_EACH_WAY = 256 << 10;

    @Test
    void fiftyClients_bothWaysAtOnce_everyStreamSha256Equal() throws Exception {
        try (LoopbackPair pair = new LoopbackPair(SEED);
             MptcpServerSocket listener = pair.listen();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            // What the server received from client i, and what it sent to it, keyed by the client's first byte.
            Map<Integer, String[]> serverSide = new ConcurrentHashMap<>();
            threads.submit(() -> {
                for (int i = 0; i < CLIENTS; i++) {
                    Socket s = listener.accept();
                    threads.submit(() -> {
                        try (s) {
                            int id = s.getInputStream().read();
                            Future<String> sent = threads.submit(() -> send(s.getOutputStream(), SEED * 1000 + id, true));
                            String got = receive(s.getInputStream(), BYTES_EACH_WAY - 1);
                            serverSide.put(id, new String[] {got, sent.get()});
                        }
                        return null;
                    });
                }
                return null;
            });
            List<Future<String[]>> clients = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                int id = i;
                clients.add(threads.submit(() -> {
                    try (MptcpSocket s = MptcpSocket.connect(pair.client, listener.getLocalSocketAddress(), 10_000)) {
                        s.setSoTimeout(60_000);
                        s.getOutputStream().write(id);
                        Future<String> sent = threads.submit(() -> send(s.getOutputStream(), SEED + id, false));
                        String got = receive(s.getInputStream(), BYTES_EACH_WAY);
                        String sentDigest = sent.get();
                        s.shutdownOutput();
                        return new String[] {sentDigest, got};
                    }
                }));
            }
            for (int i = 0; i < CLIENTS; i++) {
                String[] client = clients.get(i).get(120, TimeUnit.SECONDS);
                for (int j = 0; j < 100 && !serverSide.containsKey(i); j++) {
                    Thread.sleep(10);
                }
                String[] server = serverSide.get(i);
                assertThat(server).as("client %d reached the server (seed %d)", i, SEED).isNotNull();
                assertThat(server[0]).as("client %d -> server, SHA-256 (seed %d)", i, SEED).isEqualTo(client[0]);
                assertThat(client[1]).as("server -> client %d, SHA-256 (seed %d)", i, SEED).isEqualTo(server[1]);
            }
        }
    }

    /** Writes seeded random bytes (the client's id byte already counted on the client side) in varied chunks; their SHA-256. */
    private static String send(OutputStream out, long seed, boolean full) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        int left = full ? BYTES_EACH_WAY : BYTES_EACH_WAY - 1;
        while (left > 0) {
            byte[] chunk = new byte[Math.min(left, 1 + random.nextInt(20_000))];
            random.nextBytes(chunk);
            out.write(chunk);
            sha.update(chunk);
            left -= chunk.length;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String receive(InputStream in, int bytes) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[16 << 10];
        int left = bytes;
        while (left > 0) {
            int n = in.read(buf, 0, Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("end of stream with " + left + " bytes missing");
            }
            sha.update(buf, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
