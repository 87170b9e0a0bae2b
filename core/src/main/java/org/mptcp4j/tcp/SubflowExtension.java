package org.mptcp4j.tcp;

import java.nio.ByteBuffer;
import org.mptcp4j.wire.OutgoingSegment;
import org.mptcp4j.wire.TcpSegment;

/**
 * The seam through which a protocol above TCP rides on a connection: MPTCP attaches one to each
 * subflow (Linux: the "ULP", {@code tcp_ulp_ops} plus the {@code mptcp_established_options} and
 * {@code mptcp_incoming_options} hooks in the TCP option path). Plain TCP uses {@link #PLAIN}.
 *
 * <p>Every method is called synchronously by the owning {@link TcpConnection}.
 */
public interface SubflowExtension {

    /** Plain TCP: no options, data to and from the connection's own buffers. */
    SubflowExtension PLAIN = new SubflowExtension() {};

    /**
     * Adds options to an outgoing segment, given the segment as built so far (flags, sequence
     * numbers, payload length, TCP options already present) and the option space left in bytes
     * (40 minus what TCP's own options take, alignment included). Add only what fits.
     */
    default void writeOptions(TcpConnection c, OutgoingSegment segment, int remainingOptionBytes) {}

    /**
     * Whether the next data segment may be a large one that the device cuts into pieces, each
     * repeating the options {@link #writeOptions} gives the whole (segmentation offload). False
     * where an option describes one segment's payload only.
     */
    default boolean allowsSegmentationOffload(TcpConnection c) {
        return true;
    }

    /**
     * The MSS option of this connection's SYN or SYN-ACK, given the one TCP would send: an
     * extension may ask the peer for smaller segments (MPTCP does where the peer's options may
     * outgrow what it sized its segments for).
     */
    default int advertisedMss(TcpConnection c, int mss) {
        return mss;
    }

    /**
     * Option bytes to keep free for {@link #writeOptions} on the next segment, decided before its
     * payload is cut: the extension's options take precedence over SACK blocks, and the payload
     * shrinks so the segment still fits the MSS (a DSS with mapping and checksum takes up to 30
     * bytes on every MPTCP data segment).
     */
    default int reservedOptionBytes(TcpConnection c, boolean dataSegment) {
        return 0;
    }

    /**
     * The options of an incoming segment that passed TCP's acceptability checks, before its ACK and
     * payload are processed: its first timestamps option and first DSS in
     * {@link TcpConnection#segmentOptions()}, the others in its list. Returning false makes the
     * connection reset itself with {@link TcpError#PROTOCOL_ERROR} (the extension decided the
     * segment is fatal).
     */
    default boolean onSegmentReceived(TcpConnection c, TcpSegment segment) {
        return true;
    }

    /**
     * A RST passed the acceptability checks and is about to close the connection: what it carries
     * can be noted before the close is reported (MPTCP keeps an MP_TCPRST's reason for the
     * subflow's close event, as Linux's {@code mptcp_incoming_options} does before {@code tcp_reset}).
     * Its options are handed to {@link #onSegmentReceived} after the reset as well.
     */
    default void onResetAccepted(TcpConnection c, TcpSegment rst) {}

    /**
     * Whether in-order payload goes to {@link #onDataReceived} (the connection level) instead of
     * waiting in the connection's receive buffer for {@code read}.
     */
    default boolean takesReceivedData() {
        return false;
    }

    /**
     * In-order payload starting at subflow sequence {@code seq}, when {@link #takesReceivedData()}.
     * {@code data} is valid during the call only (a scratch buffer the next call reuses): copy what you keep.
     */
    default void onDataReceived(TcpConnection c, long nowNanos, int seq, ByteBuffer data) {}

    /**
     * Called when the connection could send new data but its send queue holds none unsent: the
     * extension may append up to {@code maxBytes} and return the count (MPTCP's scheduler pulling
     * from the connection-level buffer), with {@link TcpConnection#appendSendData} or through a
     * queue of its own it put in place with {@link TcpConnection#setSendQueue}.
     */
    default int pullSendData(TcpConnection c, long nowNanos, int maxBytes) {
        return 0;
    }

    /**
     * False only when {@link #pullSendData} would surely hand {@code c} nothing now, and asking
     * would change nothing (see {@link TcpConnection#mayHaveOutput}). True when unsure.
     */
    default boolean mayHaveDataToSend(TcpConnection c) {
        return true;
    }

    /** The connection changed state (for example, MPTCP learns that a subflow is established). */
    default void onStateChange(TcpConnection c, TcpState from, TcpState to) {}

    /**
     * The receive window to advertise in bytes, or -1 to advertise the connection's own. MPTCP
     * advertises the connection-level window, relative to the DATA_ACK the segment carries (RFC
     * 8684 section 3.3.5, Linux {@code mptcp_space}), but never more than the subflow's own window,
     * since the subflow's own buffer still decides which segments it accepts.
     */
    default long receiveWindow(TcpConnection c) {
        return -1;
    }

    /**
     * The most payload a new segment starting at {@code seq} may carry, at most {@code len}: MPTCP
     * cuts segments where a data sequence mapping ends, since one DSS option carries one mapping
     * (Linux keeps one mapping per skb).
     */
    default int segmentLimit(TcpConnection c, int seq, int len) {
        return len;
    }

    /**
     * Options for a RST this connection sends (MP_TCPRST with its reason, or MP_FASTCLOSE; RFC 8684
     * sections 3.5 and 3.6), given the option space left.
     */
    default void writeResetOptions(TcpConnection c, int remainingOptionBytes, OutgoingSegment segment) {}
}
