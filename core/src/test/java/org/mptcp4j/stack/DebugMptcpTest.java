package org.mptcp4j.stack;

import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;

class DebugMptcpTest {
    @Test
    void stall() {
        StackConfig cfg = StackConfig.defaults().withReceiveBufferBytes(128 * 1024);
        Pair pair = new Pair(cfg, 1);
        for (Pair.Link l : new Pair.Link[] {pair.toServer, pair.toClient}) {
            l.lossRate = 0.01;
            l.reorderRate = 0.06;
            l.delayNanos = Nanos.ofMillis(1);
            l.rateBps = 20_000_000;
        }
        Transfer t = new Transfer(pair, 200_000, 1);
        try {
            t.run(Nanos.ofSeconds(3600));
        } catch (AssertionError e) {
            System.out.println(e);
        }
        System.out.println("client " + pair.client.mptcpInfo(t.clientConn) + "\n " + pair.client.info(t.clientConn));
        System.out.println("server " + pair.server.mptcpInfo(t.serverConn) + "\n " + pair.server.info(t.serverConn));
        System.out.println(pair.client.mib());
        System.out.println(pair.server.mib());
        System.out.println(t.received());
    }
}
