package io.converge.ledger.core;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Rebuilds the ledger's contexts from the records a store already holds, before the
 * ledger serves anything: checks every record (frame, field lengths, CRC-32C, and that
 * each continues its context's sequence) and indexes it.
 *
 * <p>The log ends at the first frame length of 0 after which every byte is zero. A record
 * that fails its check is:
 * <ul>
 *   <li>a <b>torn tail</b> when every byte after it is zero: a write cut short by a crash.
 *       It is dropped (zeroed) and reported with its file, offset and bytes. So is a frame
 *       length of 0 followed by bytes of no intact record, within one record's reach of it
 *       and then only zeros: a record whose frame length, written last, never was;</li>
 *   <li><b>damage</b> otherwise: recovery stops with an {@link IllegalStateException} naming
 *       the file and offset, unless {@link StorageConfig.Recovery#TRUNCATE}, which cuts the
 *       log there (zeroing it and everything after it) and reports how many intact entries
 *       it dropped.</li>
 * </ul>
 * Runs on the thread that starts the ledger, which is then the store's one writer.
 */
final class Recovery {
    private static final System.Logger LOG = System.getLogger(Recovery.class.getName());

    private final RecordStore records;
    private final ContextStore contexts;
    private final StorageConfig.Recovery mode;
    private final CRC32C crc = new CRC32C();
    private final List<String> reports = new ArrayList<>();
    private long entries;
    /** The context of the last record indexed: a run of records of one context skips decoding its id. */
    private ContextWriter last;

    private Recovery(RecordStore records, ContextStore contexts, StorageConfig.Recovery mode) {
        this.records = records;
        this.contexts = contexts;
        this.mode = mode;
    }

    /** What recovery found: the entries it indexed, where the log continues, and what it dropped. */
    record Result(long entries, long endPosition, List<String> reports) {
    }

    /**
     * Indexes every intact record of {@code records} into {@code contexts} and publishes them.
     *
     * @throws IllegalStateException for damage before the log's end, in {@link StorageConfig.Recovery#STRICT}
     */
    static Result run(RecordStore records, ContextStore contexts, StorageConfig.Recovery mode) {
        return new Recovery(records, contexts, mode).scan();
    }

    private Result scan() {
        List<Segment> segments = new ArrayList<>();
        records.existingSegments().forEach(segments::add);
        long end = 0;
        scanning:
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            ByteBuffer buf = segment.records();
            int offset = 0;
            end = RecordStore.position(i, 0);
            while (true) {
                int frame = offset + EntryRecord.HEADER_BYTES <= buf.capacity() ? EntryRecord.frameLength(buf, offset) : 0;
                if (frame == 0) {
                    if (onlyZerosFrom(segments, i, offset)) {
                        end = RecordStore.position(i, offset);
                        break scanning; // the log's end
                    }
                    if (offset > 0 && zeros(buf, offset) && i + 1 < segments.size()) {
                        continue scanning; // an unused segment tail: the log goes on in the next segment
                    }
                    end = unfinished(segments, i, offset)
                        ? tornTail(segment, offset, "its frame length, which goes in last, was never written")
                        : damaged(segments, i, offset, "its frame length is 0 but records follow it");
                    break scanning;
                }
                String why = EntryRecord.damage(buf, segment.writerView(), crc, offset, buf.capacity());
                if (why == null) {
                    why = index(buf, i, offset);
                }
                if (why != null) {
                    int claimed = frame >= EntryRecord.HEADER_BYTES && frame <= buf.capacity() - offset ? frame : 4;
                    end = onlyZerosFrom(segments, i, offset + claimed)
                        ? tornTail(segment, offset, why)
                        : damaged(segments, i, offset, why);
                    break scanning;
                }
                offset += EntryRecord.aligned(frame);
                end = RecordStore.position(i, offset);
            }
        }
        for (ContextWriter log : contexts.all()) {
            log.publish();
        }
        return new Result(entries, end, List.copyOf(reports));
    }

    /**
     * Whether the bytes at {@code offset}, whose frame length is 0, are the last record's write
     * cut short: a kill -9 in the middle of a record leaves what the writer wrote of it, but not
     * its frame length, which goes in last. So: every later segment is empty, what follows lies
     * within one record's reach, and no intact record starts after it.
     */
    private boolean unfinished(List<Segment> segments, int i, int offset) {
        for (int j = i + 1; j < segments.size(); j++) {
            if (!zeros(segments.get(j).records(), 0)) {
                return false;
            }
        }
        Segment segment = segments.get(i);
        ByteBuffer buf = segment.records();
        int last = lastNonZero(buf, offset);
        if (last - offset >= EntryRecord.MAX_RECORD_BYTES) {
            return false;
        }
        for (int at = offset + EntryRecord.ALIGNMENT; at <= last; at += EntryRecord.ALIGNMENT) {
            if (EntryRecord.damage(buf, segment.writerView(), crc, at, buf.capacity()) == null) {
                return false;
            }
        }
        return true;
    }

    /** Indexes the intact record at {@code offset}; the reason when it does not continue its context. */
    private String index(ByteBuffer buf, int segmentIndex, int offset) {
        ContextWriter log = last != null && EntryRecord.contextIdEquals(buf, offset, last.contextIdUtf8())
            ? last : contexts.getOrCreate(EntryRecord.contextId(buf, offset));
        last = log;
        long sequence = EntryRecord.sequence(buf, offset);
        if (sequence != log.nextSequence()) {
            return "it holds sequence " + sequence + " of context " + log.contextId() + ", which continues at "
                + log.nextSequence();
        }
        long appendedAt = EntryRecord.appendedAtNs(buf, offset);
        if (appendedAt < log.lastAppendedAtNs()) {
            return "its appended_at_ns " + appendedAt + " is earlier than the previous entry's of context "
                + log.contextId();
        }
        log.append(RecordStore.position(segmentIndex, offset), appendedAt);
        entries++;
        return null;
    }

    private long tornTail(Segment segment, int offset, String why) {
        int last = lastNonZero(segment.records(), offset);
        int dropped = last - offset + 1;
        String report = "recovery: dropped a torn record at the end of the log: " + segment.name() + " offset " + offset
            + ", " + dropped + " bytes (" + why + ")";
        LOG.log(System.Logger.Level.WARNING, report);
        reports.add(report);
        zero(segment.records(), offset, segment.capacity());
        return RecordStore.position(segment.index(), offset);
    }

    private long damaged(List<Segment> segments, int i, int offset, String why) {
        Segment segment = segments.get(i);
        String where = segment.name() + " offset " + offset;
        if (mode == StorageConfig.Recovery.STRICT) {
            throw new IllegalStateException("damaged record in the log at " + where + ": " + why
                + ". The server will not start on a damaged log; set LEDGER_RECOVERY=truncate to cut the log there,"
                + " dropping that record and every one after it");
        }
        long dropped = countIntactAfter(segments, i, offset);
        String report = "recovery: truncated the log at a damaged record, " + where + " (" + why + "): dropped it and "
            + dropped + " intact entries after it";
        LOG.log(System.Logger.Level.WARNING, report);
        reports.add(report);
        zero(segment.records(), offset, segment.capacity());
        for (int j = i + 1; j < segments.size(); j++) {
            zero(segments.get(j).records(), 0, segments.get(j).capacity());
        }
        return RecordStore.position(i, offset);
    }

    /** Intact records after the damaged one at {@code offset}: those its frame leads to, and all of later segments. */
    private long countIntactAfter(List<Segment> segments, int i, int offset) {
        long count = 0;
        for (int j = i; j < segments.size(); j++) {
            Segment s = segments.get(j);
            ByteBuffer buf = s.records();
            int at = j == i ? offset : 0;
            if (j == i) {
                int frame = EntryRecord.frameLength(buf, at);
                if (frame < EntryRecord.HEADER_BYTES || frame > buf.capacity() - at) {
                    continue;
                }
                at += EntryRecord.aligned(frame);
            }
            while (at + EntryRecord.HEADER_BYTES <= buf.capacity() && EntryRecord.frameLength(buf, at) != 0
                && EntryRecord.damage(buf, s.writerView(), crc, at, buf.capacity()) == null) {
                count++;
                at += EntryRecord.aligned(EntryRecord.frameLength(buf, at));
            }
        }
        return count;
    }

    private static boolean onlyZerosFrom(List<Segment> segments, int i, int offset) {
        if (!zeros(segments.get(i).records(), offset)) {
            return false;
        }
        for (int j = i + 1; j < segments.size(); j++) {
            if (!zeros(segments.get(j).records(), 0)) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(ByteBuffer buf, int from) {
        int at = Math.max(0, from);
        int end = buf.capacity();
        for (; at < end && (at & 7) != 0; at++) {
            if (buf.get(at) != 0) {
                return false;
            }
        }
        for (; at + 8 <= end; at += 8) {
            if (buf.getLong(at) != 0) {
                return false;
            }
        }
        for (; at < end; at++) {
            if (buf.get(at) != 0) {
                return false;
            }
        }
        return true;
    }

    private static int lastNonZero(ByteBuffer buf, int from) {
        int at = buf.capacity();
        while (at - 8 >= from && (at & 7) == 0 && buf.getLong(at - 8) == 0) {
            at -= 8; // a long at a time through the zeros after the data
        }
        for (at--; at >= from; at--) {
            if (buf.get(at) != 0) {
                return at;
            }
        }
        return from - 1;
    }

    /** Zeroes bytes [from, to), writing only where a byte is not zero already (pages stay clean where they can). */
    private static void zero(ByteBuffer buf, int from, int to) {
        int at = from;
        for (; at < to && (at & 7) != 0; at++) {
            buf.put(at, (byte) 0);
        }
        for (; at + 8 <= to; at += 8) {
            if (buf.getLong(at) != 0) {
                buf.putLong(at, 0);
            }
        }
        for (; at < to; at++) {
            buf.put(at, (byte) 0);
        }
    }
}
