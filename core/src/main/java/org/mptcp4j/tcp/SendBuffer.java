package org.mptcp4j.tcp;

import java.nio.ByteBuffer;

/**
 * The bytes of the send side from SND.UNA on: sent but unacknowledged, then not yet sent, at most
 * a fixed capacity (the send buffer limit, Linux {@code sk_sndbuf}); acknowledged bytes are
 * released from the front. Offsets are relative to the first unacknowledged data byte.
 *
 * <p>Memory is taken as data arrives. Up to {@value #CHUNK_BYTES} bytes the queue is one array that
 * starts at 4 KiB and doubles, so an idle or half-open connection costs little. Beyond that it is
 * a queue of {@value #CHUNK_BYTES}-byte chunks, as Linux keeps its send queue in skbs and page
 * fragments rather than one block: a chunk released at the front is used again at the back, so the
 * queue takes no more memory than its peak holding and a part-filled chunk at each end, and
 * growing never copies what is held. One array doubled up to a 4 MiB limit took 8 MiB of fresh,
 * zeroed memory per connection, half of it in copies left behind on the way, and G1 gives arrays
 * of half a region and more (1 MiB with a 2 MiB region) regions of their own.
 *
 * <p>Invariant: {@code 0 <= length <= capacity}; the held bytes run from {@code head} in the first
 * chunk on, through {@code used} chunks; {@code head < chunk size}.
 */
public final class SendBuffer implements SendQueue {
    private static final int INITIAL_BYTES = 4096;
    static final int CHUNK_SHIFT = 16;
    static final int CHUNK_BYTES = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_BYTES - 1;
    private static final byte[][] NONE = new byte[0][];

    private final int capacity;
    /**
     * The chunks in use, a circular array from {@code first}: {@code used} of them. While the queue
     * is small it has one chunk, which may be shorter than {@link #CHUNK_BYTES}.
     */
    private byte[][] chunks = NONE;
    private int first;
    private int used;
    /** Chunks released at the front, kept to be used again at the back. */
    private byte[][] spare = NONE;
    private int spares;
    /** Where the first held byte sits in the first chunk. */
    private int head;
    private int length;

    public SendBuffer(int capacityBytes) {
        this.capacity = capacityBytes;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** Bytes held (unacknowledged plus unsent). */
    @Override
    public int length() {
        return length;
    }

    /** Appends as much of {@code src} as fits; returns the number of bytes taken. */
    @Override
    public int append(ByteBuffer src) {
        return append(src, Integer.MAX_VALUE);
    }

    /** As {@link #append(ByteBuffer)}, taking at most {@code max} bytes (no view of {@code src} needed to cut it). */
    public int append(ByteBuffer src, int max) {
        int n = Math.min(Math.min(src.remaining(), max), freeSpace());
        int done = 0;
        while (done < n) {
            byte[] chunk = chunkForAppend(head + length, n - done);
            // Read after the call: growing the one small chunk moves what it holds to the start.
            int at = (head + length) & CHUNK_MASK;
            int k = Math.min(n - done, chunk.length - at);
            src.get(chunk, at, k);
            length += k;
            done += k;
        }
        return n;
    }

    /** The chunk the byte at {@code end} goes into, added or grown when there is none with room. */
    private byte[] chunkForAppend(int end, int wanted) {
        if (used == 0) {
            push(spares > 0 ? spare[--spares] : new byte[smallChunkBytes(INITIAL_BYTES, wanted)]);
            return chunks[first];
        }
        byte[] firstChunk = chunks[first];
        if (used == 1 && firstChunk.length < CHUNK_BYTES) {
            if (end < firstChunk.length) {
                return firstChunk;
            }
            // The small chunk is full: a bigger one, up to a whole chunk, holds what it held.
            byte[] bigger = new byte[smallChunkBytes(firstChunk.length * 2, length + wanted)];
            System.arraycopy(firstChunk, head, bigger, 0, length);
            chunks[first] = bigger;
            head = 0;
            return bigger;
        }
        int index = end >>> CHUNK_SHIFT;
        if (index == used) {
            push(spares > 0 ? spare[--spares] : new byte[CHUNK_BYTES]);
        }
        return chunk(index);
    }

    /** The size of the one small chunk: a power of two of at least {@code atLeast} that holds {@code needed} bytes, at most a whole chunk. */
    private static int smallChunkBytes(int atLeast, int needed) {
        return Math.min(CHUNK_BYTES, Math.max(atLeast, Integer.highestOneBit(Math.max(1, needed - 1)) << 1));
    }

    private void push(byte[] chunk) {
        if (used == chunks.length) {
            byte[][] bigger = new byte[Math.max(4, chunks.length * 2)][];
            for (int i = 0; i < used; i++) {
                bigger[i] = chunk(i);
            }
            chunks = bigger;
            first = 0;
        }
        chunks[slot(used)] = chunk;
        used++;
    }

    private byte[] chunk(int index) {
        return chunks[slot(index)];
    }

    /** Where the {@code index}th chunk in use sits in the circular {@link #chunks}. */
    private int slot(int index) {
        int i = first + index;
        return i < chunks.length ? i : i - chunks.length;
    }

    @Override
    public void copy(int offset, int len, ByteBuffer dst, int at) {
        if (offset < 0 || len < 0 || offset + len > length) {
            throw new IndexOutOfBoundsException("offset " + offset + " len " + len + " of " + length);
        }
        int position = head + offset;
        while (len > 0) {
            byte[] chunk = chunk(position >>> CHUNK_SHIFT);
            int from = position & CHUNK_MASK;
            int k = Math.min(len, chunk.length - from);
            dst.put(at, chunk, from, k);
            at += k;
            position += k;
            len -= k;
        }
    }

    /** Drops {@code n} acknowledged bytes from the front. */
    @Override
    public void release(int n) {
        if (n < 0 || n > length) {
            throw new IndexOutOfBoundsException("release " + n + " of " + length);
        }
        length -= n;
        head += n;
        if (length == 0 && used <= 1) {
            head = 0; // the one chunk, small or whole, stays: all of it is free
            return;
        }
        // Several chunks: each is whole, and those the front has passed go to the spares.
        while (used > 0 && head >= chunks[first].length) {
            head -= chunks[first].length;
            keepSpare(chunks[first]);
            chunks[first] = null;
            first = slot(1);
            used--;
        }
        if (length == 0) {
            head = 0;
        }
    }

    private void keepSpare(byte[] chunk) {
        if (spares == spare.length) {
            byte[][] bigger = new byte[Math.max(4, spare.length * 2)][];
            System.arraycopy(spare, 0, bigger, 0, spares);
            spare = bigger;
        }
        spare[spares++] = chunk;
    }

    @Override
    public int ownedBytes() {
        return length;
    }

    /** Bytes of memory the queue has taken: chunks holding bytes and chunks kept to be used again. */
    public int allocatedBytes() {
        // Only the one chunk of a queue with one may be short of a whole chunk; spares are whole.
        int held = used == 1 ? chunks[first].length : used * CHUNK_BYTES;
        return held + spares * CHUNK_BYTES;
    }
}
