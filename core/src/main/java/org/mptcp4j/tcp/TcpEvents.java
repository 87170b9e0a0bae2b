package org.mptcp4j.tcp;

/**
 * What a connection reports to its owner (the stack, or a test harness). Called synchronously
 * from inside {@link TcpConnection} methods; implementations only record, never call back in.
 */
public interface TcpEvents {
    /** The three-way handshake completed (ESTABLISHED). */
    void onEstablished(TcpConnection c);

    /** In-order data (or the peer's FIN) became readable. */
    void onReadable(TcpConnection c);

    /** Send buffer space opened after a write found it full. */
    void onWritable(TcpConnection c);

    /** The peer's FIN arrived in order. */
    void onPeerFin(TcpConnection c);

    /** The connection failed or was reset. */
    void onError(TcpConnection c, TcpError error);

    /** The connection reached CLOSED; the owner may release it once it has nothing left to send. */
    void onClosed(TcpConnection c);

    /** An implementation that ignores everything. */
    TcpEvents NONE = new TcpEvents() {
        public void onEstablished(TcpConnection c) {}
        public void onReadable(TcpConnection c) {}
        public void onWritable(TcpConnection c) {}
        public void onPeerFin(TcpConnection c) {}
        public void onError(TcpConnection c, TcpError error) {}
        public void onClosed(TcpConnection c) {}
    };
}
