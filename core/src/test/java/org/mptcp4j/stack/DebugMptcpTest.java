package org.mptcp4j.stack;

import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;

class DebugMptcpTest {
    @Test
    void bothClose() {
        Pair pair = new Pair(StackConfig.defaults().withTimeWaitNanos(Nanos.ofSeconds(2)), 1);
        Transfer t = new Transfer(pair, 10_000, 1).run(Nanos.ofSeconds(10));
        System.out.println("after transfer: client " + pair.client.mptcpInfo(t.clientConn) + " / " + pair.client.info(t.clientConn));
        System.out.println("server " + pair.server.mptcpInfo(t.serverConn) + " / " + pair.server.info(t.serverConn));
        pair.server.close(pair.now(), t.serverConn);
        pair.flush();
        for (int i = 0; i < 10; i++) {
            pair.driveIdle(Nanos.ofMillis(100));
            System.out.println(pair.now() + " client " + pair.client.info(t.clientConn) + "\n   server " + pair.server.info(t.serverConn) + " events " + pair.serverEvents);
        }
        System.out.println(pair.client.mib());
    }
}
