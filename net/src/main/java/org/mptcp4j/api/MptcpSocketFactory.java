package org.mptcp4j.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Makes {@link MptcpSocket}s on one host, for libraries that take a {@link SocketFactory} (HTTP
 * and database clients, {@code SSLSocketFactory.createSocket(socket, ...)} layered on top).
 */
public final class MptcpSocketFactory extends SocketFactory {
    private final MptcpHost host;

    public MptcpSocketFactory(MptcpHost host) {
        this.host = host;
    }

    @Override
    public Socket createSocket() throws IOException {
        return new MptcpSocket(host);
    }

    @Override
    public Socket createSocket(String remoteHost, int port) throws IOException {
        return connected(new InetSocketAddress(remoteHost, port), null);
    }

    @Override
    public Socket createSocket(String remoteHost, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(remoteHost, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress address, int port) throws IOException {
        return connected(new InetSocketAddress(address, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        MptcpSocket s = new MptcpSocket(host);
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }
}
