package org.mptcp4j.api;

import java.net.SocketException;
import org.mptcp4j.stack.ResetReason;

/** The connection was reset; {@link #reason()} says by whom and why (RST received, sent, MP_TCPRST ...). */
public final class MptcpResetException extends SocketException {
    private final transient ResetReason reason;

    public MptcpResetException(ResetReason reason) {
        super("Connection reset (" + reason + ")");
        this.reason = reason;
    }

    public ResetReason reason() {
        return reason;
    }
}
