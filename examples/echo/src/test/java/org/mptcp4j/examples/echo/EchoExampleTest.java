package org.mptcp4j.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpSocket;

/** Runs the example as a user would, on the module path. */
class EchoExampleTest {
    @Test
    void mptcp4jIsOnTheModulePath() {
        assertEquals("org.mptcp4j.net", MptcpSocket.class.getModule().getName());
        assertEquals("org.mptcp4j.core", org.mptcp4j.stack.StackConfig.class.getModule().getName());
        assertEquals("org.mptcp4j.examples.echo", EchoExample.class.getModule().getName());
    }

    @Test
    void userspaceEngine_echoesOneMegabyte() throws Exception {
        try (MptcpHost.Pair hosts = MptcpHost.loopbackPair()) {
            assertTrue(EchoExample.run("userspace", hosts.server(), hosts.client(), hosts.serverAddress()));
        }
    }

    @Test
    void kernelEngine_echoesOneMegabyte() throws Exception {
        MptcpHost kernel = MptcpHost.kernel();
        assertTrue(EchoExample.run("kernel", kernel, kernel, InetAddress.getLoopbackAddress()));
    }
}
