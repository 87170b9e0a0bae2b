package org.mptcp4j.stack;

/** What the application learns from {@link Stack#pollEvent()}. */
public sealed interface StackEvent {
    /** A connection completed its handshake on a listener: {@link Stack#accept} will return it. */
    record Incoming(ListenerHandle listener) implements StackEvent {}

    /** An active open completed. */
    record Connected(ConnHandle conn) implements StackEvent {}

    /** Data or end of stream can be read. Edge-triggered: read until 0 or -1 to be told again. */
    record Readable(ConnHandle conn) implements StackEvent {}

    /** Send buffer space opened after a write returned 0. */
    record Writable(ConnHandle conn) implements StackEvent {}

    /** The peer's FIN arrived (end of stream after the remaining data). */
    record PeerClosed(ConnHandle conn) implements StackEvent {}

    /** The connection was reset (received or sent); {@code reason} says which and why. */
    record Reset(ConnHandle conn, ResetReason reason) implements StackEvent {}

    /** An active open failed: refused by a RST, or timed out. */
    record ConnectFailed(ConnHandle conn, ResetReason reason) implements StackEvent {}

    /** The connection is fully closed and its handle released. */
    record Closed(ConnHandle conn) implements StackEvent {}
}
