package org.mptcp4j.stack;

/**
 * What a data packet from {@link Stack#pollTransmit} owes its connection while the device holds it
 * (Linux: the skb's socket and its {@code tcp_wfree} destructor). Opaque to the driver, which hands
 * it back to {@link Stack#transmitted} once the packet has left the device, under
 * {@link Stack#setSmallQueues TCP Small Queues}.
 */
public sealed interface DeviceCharge permits StackEntry {}
