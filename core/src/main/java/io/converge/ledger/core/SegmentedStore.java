package io.converge.ledger.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The record log as a sequence of fixed-size {@link Segment}s from a {@link SegmentSource}.
 *
 * <p><b>Preallocation.</b> A thread of its own ({@code ledger-segments}) keeps the next
 * segment created, zeroed and touched before the writer reaches it, and makes another as
 * soon as the writer takes it; the writer waits for it only when it outruns that thread
 * ({@link #writerWaits()} counts those waits). A failure to create one (disk full, disk
 * budget, memory) is kept and refuses appends that need a new segment; the thread tries
 * again at most once a second.
 *
 * <p><b>Threading.</b> One writer (the sequencer, or recovery before it starts); readers
 * reach segments through {@link #segment}, for positions the writer published after
 * writing them; {@link #force} is thread-safe.
 */
final class SegmentedStore implements RecordStore {
    private static final System.Logger LOG = System.getLogger(SegmentedStore.class.getName());
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final VarHandle WRITTEN;

    static {
        try {
            WRITTEN = MethodHandles.lookup().findVarHandle(SegmentedStore.class, "writtenPosition", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SegmentSource source;
    private final List<Segment> existing;
    private final Thread preallocator;
    private final AtomicReference<Segment> spare = new AtomicReference<>();
    private final AtomicReference<LedgerException> failure = new AtomicReference<>();
    private volatile boolean closed;
    private volatile boolean preallocating;
    /** The index of the next segment to create: the writer's until preallocation starts, then that thread's. */
    private int nextIndex;

    /** Grown by the writer (a new array each time) before a position in a new segment is published. */
    private volatile Segment[] segments = new Segment[16];
    /** The end of what the writer has written, as a position; read by {@link #force}. */
    @SuppressWarnings("unused") // accessed through WRITTEN
    private long writtenPosition;
    /** {@link #bytesWritten} as of the writer's last {@link #written()}, for any thread. */
    private volatile long bytesPublished;

    // Writer-only state.
    private Segment current;
    private int writeOffset;
    private final ArrayDeque<Segment> ready = new ArrayDeque<>();
    private long bytesWritten;
    /** Written by the writer only; read by metrics. */
    private volatile long writerWaits;

    // Guarded by this: what force() has covered.
    private long forcedPosition;

    SegmentedStore(SegmentSource source) {
        this.source = source;
        this.existing = source.existing();
        for (Segment s : existing) {
            install(s);
        }
        this.nextIndex = existing.size();
        this.preallocator = new Thread(this::preallocate, "ledger-segments");
        preallocator.setDaemon(true);
    }

    /**
     * Starts making segments ahead of the writer, on a thread of its own. Until then the
     * writer creates each segment itself when it needs it (recovery, and tests of the store alone).
     */
    void startPreallocating() {
        preallocating = true;
        preallocator.start();
    }

    @Override
    public Iterable<Segment> existingSegments() {
        return existing;
    }

    @Override
    public void resumeAt(long position) {
        int index = RecordStore.segmentIndex(position);
        if (index < existing.size()) {
            current = existing.get(index);
            writeOffset = RecordStore.offset(position);
            for (int i = index + 1; i < existing.size(); i++) {
                ready.add(existing.get(i)); // recovery left them empty
            }
            if (!ready.isEmpty()) {
                spare.set(ready.pollLast()); // the last empty one is the spare: a restart makes no new segment
            }
        }
        bytesWritten = (long) index * (existing.isEmpty() ? 0 : existing.get(0).capacity()) + writeOffset;
        bytesPublished = bytesWritten;
        WRITTEN.setRelease(this, position);
        synchronized (this) {
            forcedPosition = position;
        }
    }

    @Override
    public void ensureRoom(long bytes, int largestRecord) {
        long usable = current == null ? 0 : current.capacity() - writeOffset;
        if (bytes <= usable) {
            return;
        }
        usable = Math.max(0, usable - largestRecord); // a record that does not fit leaves the tail unused
        for (Segment s : ready) {
            usable += s.capacity() - largestRecord;
        }
        while (usable < bytes) {
            Segment s = takeSpare();
            ready.add(s);
            usable += s.capacity() - largestRecord;
        }
    }

    private Segment takeSpare() {
        if (!preallocating) {
            Segment spared = spare.getAndSet(null);
            return spared != null ? spared : source.create(nextIndex++);
        }
        boolean waited = false;
        while (true) {
            Segment s = spare.getAndSet(null);
            if (s != null) {
                LockSupport.unpark(preallocator);
                return s;
            }
            LedgerException failed = failure.get();
            if (failed != null) {
                throw failed;
            }
            if (closed) {
                throw new LedgerException(LedgerException.Reason.UNAVAILABLE, "the ledger's store is closed");
            }
            if (!preallocator.isAlive()) {
                throw new LedgerException(LedgerException.Reason.UNAVAILABLE,
                    "the ledger's segment preallocation thread has stopped; see the server's log");
            }
            if (!waited) {
                waited = true;
                writerWaits = writerWaits + 1; // one writer
                LockSupport.unpark(preallocator);
            }
            LockSupport.parkNanos(20_000);
        }
    }

    @Override
    public long claim(int size) {
        if (current == null || writeOffset + size > current.capacity()) {
            Segment next = ready.poll();
            if (next == null) {
                throw new IllegalStateException("claim without ensureRoom: no segment is ready");
            }
            install(next);
            if (current != null) {
                bytesWritten += current.capacity() - writeOffset; // the unused tail is part of the log
            }
            current = next;
            writeOffset = 0;
        }
        long position = RecordStore.position(current.index(), writeOffset);
        writeOffset += size;
        bytesWritten += size;
        return position;
    }

    @Override
    public void written() {
        WRITTEN.setRelease(this, current == null ? 0L : RecordStore.position(current.index(), writeOffset));
        bytesPublished = bytesWritten;
    }

    private void install(Segment s) {
        Segment[] all = segments;
        if (s.index() >= all.length) {
            Segment[] grown = new Segment[Math.max(all.length * 2, s.index() + 1)];
            System.arraycopy(all, 0, grown, 0, all.length);
            grown[s.index()] = s;
            segments = grown;
        } else {
            all[s.index()] = s;
            segments = all; // a volatile write after the element's, for readers of a later position
        }
    }

    @Override
    public Segment segment(long position) {
        return segments[RecordStore.segmentIndex(position)];
    }

    @Override
    public synchronized void force() {
        long upTo = (long) WRITTEN.getAcquire(this);
        long from = forcedPosition;
        if (upTo == from) {
            return;
        }
        Segment[] all = segments;
        for (int i = RecordStore.segmentIndex(from); i <= RecordStore.segmentIndex(upTo); i++) {
            Segment s = all[i];
            int start = i == RecordStore.segmentIndex(from) ? RecordStore.offset(from) : 0;
            int end = i == RecordStore.segmentIndex(upTo) ? RecordStore.offset(upTo) : s.capacity();
            s.force(start, end);
        }
        forcedPosition = upTo;
    }

    @Override
    public long bytesWritten() {
        return bytesPublished;
    }

    /** How many times the writer found no segment ready and waited for one (any thread). */
    long writerWaits() {
        return writerWaits;
    }

    private void preallocate() {
        while (!closed) {
            if (spare.get() == null) {
                try {
                    spare.set(source.create(nextIndex));
                    nextIndex++;
                    failure.set(null);
                } catch (LedgerException e) {
                    failure.set(e);
                    LockSupport.parkNanos(this, RETRY_NANOS);
                    continue;
                } catch (RuntimeException | Error e) {
                    // Not fatal to this thread: the writer is refused with the reason, and this thread retries.
                    LOG.log(System.Logger.Level.ERROR, "the ledger could not create its next segment", e);
                    failure.set(new LedgerException(LedgerException.Reason.UNAVAILABLE,
                        "the ledger could not create its next segment: " + e));
                    LockSupport.parkNanos(this, RETRY_NANOS);
                    continue;
                }
            }
            LockSupport.park(this);
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(preallocator);
        try {
            preallocator.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        force();
        source.close();
    }
}
