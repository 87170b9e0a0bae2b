package org.mptcp4j.stack;

import java.util.Arrays;
import org.mptcp4j.base.Nanos;

/**
 * The stack's timer queue: the connections that have a timer armed, by their earliest deadline. A
 * binary min-heap in two parallel arrays (deadlines as primitive {@code long}s, nodes beside them);
 * each node remembers its slot, so re-arming or removing one connection costs O(log n) and the
 * earliest deadline O(1), however many connections the stack holds. A node with no timer armed
 * ({@link Nanos#NEVER}) is not in the heap: idle connections cost nothing.
 *
 * <p>Linux keeps one kernel timer per socket in its timer wheel; a sans-IO stack hands the driver
 * one deadline, so it needs the minimum over all connections, which this gives without a scan.
 */
final class DeadlineHeap<T extends DeadlineHeap.Node> {

    /** Something the heap can hold; it belongs to at most one heap. */
    static class Node {
        /** Slot in the heap's arrays, -1 when not in the heap. */
        int heapIndex = -1;
    }

    private long[] deadlines = new long[16];
    private Node[] nodes = new Node[16];
    private int size;

    int size() {
        return size;
    }

    /** The earliest deadline, {@link Nanos#NEVER} when no node is in the heap. */
    long minDeadline() {
        return size == 0 ? Nanos.NEVER : deadlines[0];
    }

    /** The node with the earliest deadline, or null. */
    @SuppressWarnings("unchecked")
    T peek() {
        return size == 0 ? null : (T) nodes[0];
    }

    /** The node's deadline, {@link Nanos#NEVER} when it is not in the heap. */
    long deadline(T node) {
        return node.heapIndex < 0 ? Nanos.NEVER : deadlines[node.heapIndex];
    }

    /** Inserts, moves or (for {@link Nanos#NEVER}) removes the node. */
    void set(T node, long deadline) {
        int i = node.heapIndex;
        if (deadline == Nanos.NEVER) {
            if (i >= 0) {
                removeAt(i);
            }
            return;
        }
        if (i < 0) {
            if (size == nodes.length) {
                nodes = Arrays.copyOf(nodes, size * 2);
                deadlines = Arrays.copyOf(deadlines, size * 2);
            }
            place(size++, node, deadline);
            siftUp(size - 1);
            return;
        }
        long old = deadlines[i];
        deadlines[i] = deadline;
        if (deadline < old) {
            siftUp(i);
        } else if (deadline > old) {
            siftDown(i);
        }
    }

    void remove(T node) {
        if (node.heapIndex >= 0) {
            removeAt(node.heapIndex);
        }
    }

    /** Removes and returns the node with the earliest deadline, or null. */
    T poll() {
        T top = peek();
        if (top != null) {
            removeAt(0);
        }
        return top;
    }

    /** For tests: the heap order holds and every node knows its slot. */
    void checkInvariants() {
        for (int i = 0; i < size; i++) {
            if (nodes[i].heapIndex != i) {
                throw new AssertionError("node in slot " + i + " thinks it is in slot " + nodes[i].heapIndex);
            }
            if (deadlines[i] == Nanos.NEVER) {
                throw new AssertionError("a node without deadline in slot " + i);
            }
            if (i > 0 && deadlines[(i - 1) / 2] > deadlines[i]) {
                throw new AssertionError("slot " + i + " is earlier than its parent");
            }
        }
        for (int i = size; i < nodes.length; i++) {
            if (nodes[i] != null) {
                throw new AssertionError("a node left behind in free slot " + i);
            }
        }
    }

    private void removeAt(int i) {
        Node gone = nodes[i];
        gone.heapIndex = -1;
        int last = --size;
        if (i != last) {
            long d = deadlines[last];
            long old = deadlines[i];
            place(i, nodes[last], d);
            if (d < old) {
                siftUp(i);
            } else {
                siftDown(i);
            }
        }
        nodes[last] = null;
    }

    private void siftUp(int i) {
        Node node = nodes[i];
        long d = deadlines[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (deadlines[parent] <= d) {
                break;
            }
            place(i, nodes[parent], deadlines[parent]);
            i = parent;
        }
        place(i, node, d);
    }

    private void siftDown(int i) {
        Node node = nodes[i];
        long d = deadlines[i];
        int half = size >>> 1; // slots from here on have no children
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < size && deadlines[child + 1] < deadlines[child]) {
                child++;
            }
            if (d <= deadlines[child]) {
                break;
            }
            place(i, nodes[child], deadlines[child]);
            i = child;
        }
        place(i, node, d);
    }

    private void place(int i, Node node, long deadline) {
        nodes[i] = node;
        deadlines[i] = deadline;
        node.heapIndex = i;
    }
}
