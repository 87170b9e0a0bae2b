package org.mptcp4j.net.emu;

/**
 * What an emulated path did with its packets.
 *
 * @param offered          packets admitted to the queue (lost ones included)
 * @param lost             lost at random after serialization
 * @param droppedQueueFull dropped on arrival at a full queue (not counted in {@code offered})
 * @param corrupted        had a bit flipped
 * @param duplicated       were delivered twice
 * @param reordered        were held back so later packets overtook them
 */
public record PathCounters(long offered, long lost, long droppedQueueFull, long corrupted, long duplicated, long reordered) {}
