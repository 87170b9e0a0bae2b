package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.tcp.TcpState;

/** The driver loop of docs/TCP.md, as written there: two stacks, a wire without delay, "hello" and a FIN. */
class TcpGuideExampleTest {

    @Test
    void driverLoop_deliversTheMessageAndEndOfStream() throws Exception {
        StackConfig tcp = StackConfig.defaults().withMptcpEnabled(false);   // plain TCP (MPTCP is the default)
        Stack client = new Stack(tcp, Rng.seeded(1));                     // a real driver passes new SecureRng()
        client.addAddress(InetAddress.getByName("10.0.0.1"));
        Stack server = new Stack(tcp, Rng.seeded(2));
        server.addAddress(InetAddress.getByName("10.0.0.2"));

        ListenerHandle l = server.listen(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 5001), 128);
        ConnHandle c = client.connect(0, null, new InetSocketAddress("10.0.0.2", 5001)); // ephemeral port
        byte[] message = "hello, stack".getBytes(StandardCharsets.UTF_8);
        ByteBuffer received = ByteBuffer.allocate(1000);

        // The driver: after ANY input (packet, timer, application call) drain transmits and events.
        ByteBuffer out = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
        long now = 0;
        boolean eof = false;
        while (!eof && now < Nanos.ofSeconds(10)) {
            boolean moved = false;
            for (Stack from : List.of(client, server)) {
                Stack to = from == client ? server : client;
                while (from.pollTransmit(now, out.clear()) != null) {  // one IP packet, to Transmit.destination()
                    to.handleInbound(now, out.flip());                 // the wire: delivered at once
                    moved = true;
                }
            }
            StackEvent e;
            while ((e = client.pollEvent()) != null) {
                moved = true;
                if (e instanceof StackEvent.Connected) {
                    client.write(now, c, ByteBuffer.wrap(message));   // bytes taken; 0 = buffer full; -1 = cannot send
                    client.shutdownOutput(now, c);                    // FIN after the queued data
                }
            }
            while ((e = server.pollEvent()) != null) {
                moved = true;
                if (e instanceof StackEvent.Incoming) {
                    server.accept(l);
                } else if (e instanceof StackEvent.Readable r) {      // edge-triggered: read until 0 or -1
                    int n;
                    while ((n = server.read(now, r.conn(), received)) > 0) { }
                    eof = n == -1;
                }
            }
            if (!moved) {                                             // idle: sleep until the next timer
                now = Math.min(client.pollTimeout(), server.pollTimeout());   // Nanos.NEVER = none
                client.handleTimeout(now);
                server.handleTimeout(now);
            }
        }
        System.out.println(new String(received.array(), 0, received.position(), StandardCharsets.UTF_8)
                + " | " + client.info(c));                            // like `ss -ti`

        assertThat(eof).isTrue();
        assertThat(new String(received.array(), 0, received.position(), StandardCharsets.UTF_8)).isEqualTo("hello, stack");
        assertThat(client.info(c).state()).isEqualTo(TcpState.FIN_WAIT_2);
        assertThat(now).isZero(); // no timer was needed: the wire has no delay and loses nothing
    }
}
