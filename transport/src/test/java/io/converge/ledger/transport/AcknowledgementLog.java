package io.converge.ledger.transport;

import io.converge.context.v1.AppendAck;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.Entry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A client's own log of what the ledger acknowledged, to hold a restarted server to:
 * every acknowledged entry with all its fields, by context and sequence. Requests sent and
 * not (yet) acknowledged are kept by a tag each carries in its metadata ({@link #TAG}), so
 * that an entry a server stored without getting to acknowledge it (it was killed first) is
 * told apart from one that no client sent. Recording is thread-safe; {@link #reconcile}
 * runs while no load does.
 */
final class AcknowledgementLog {
    /** The metadata key of every request's unique tag. */
    static final String TAG = "client-tag";

    private final Map<String, NavigableMap<Long, Entry>> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, AppendRequest> unacknowledged = new ConcurrentHashMap<>();
    private final AtomicLong tags = new AtomicLong();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong payloadBytes = new AtomicLong();

    /** A tag no other request of this log carries. */
    String newTag() {
        return "t" + tags.incrementAndGet();
    }

    /** Called before {@code request} is sent. */
    void sent(AppendRequest request) {
        String tag = request.getMetadataMap().get(TAG);
        assertNotNull(tag, "every request carries its tag");
        unacknowledged.put(tag, request);
    }

    /** An Append answered with {@code entry}: it must echo the request. */
    void acknowledged(AppendRequest request, Entry entry) {
        assertEquals(expected(request, entry.getSequence(), entry.getId(), entry.getAppendedAtNs()), entry,
            "Append echoes the request");
        record(request, entry);
    }

    /** The ack of one entry of an AppendBatch. */
    void acknowledged(AppendRequest request, AppendAck ack) {
        record(request, expected(request, ack.getSequence(), ack.getId(), ack.getAppendedAtNs()));
    }

    private void record(AppendRequest request, Entry entry) {
        Entry before = acknowledged.computeIfAbsent(request.getContextId(), c -> new ConcurrentSkipListMap<>())
            .putIfAbsent(entry.getSequence(), entry);
        if (before != null) {
            fail("sequence " + entry.getSequence() + " of " + request.getContextId() + " was acknowledged twice: "
                + before + " and " + entry);
        }
        unacknowledged.remove(request.getMetadataMap().get(TAG));
        acks.incrementAndGet();
        payloadBytes.addAndGet(entry.getPayload().size());
    }

    private static Entry expected(AppendRequest request, long sequence, String id, long appendedAtNs) {
        return Entry.newBuilder()
            .setId(id)
            .setKey(request.getKey())
            .setPayload(request.getPayload())
            .setSequence(sequence)
            .setAppendedAtNs(appendedAtNs)
            .putAllMetadata(request.getMetadataMap())
            .build();
    }

    /** How many acknowledgements were recorded, ever. */
    long acks() {
        return acks.get();
    }

    /** The payload bytes of every acknowledgement recorded, ever. */
    long payloadBytes() {
        return payloadBytes.get();
    }

    /** The contexts with an acknowledged entry. */
    Set<String> contexts() {
        return new TreeSet<>(acknowledged.keySet());
    }

    /** Every entry known to be stored, of every context: those acknowledged and those adopted by {@link #reconcile}. */
    long entries() {
        return acknowledged.values().stream().mapToLong(Map::size).sum();
    }

    /**
     * Holds what a restarted server stores for {@code contextId} (all of it, in sequence
     * order) to this log: sequences 1..n without a gap; every acknowledged entry back with
     * every field unchanged; every other entry one that a client sent but was not answered
     * (cut off by the crash), stored once, with what was sent. Those are adopted: from now
     * on they count as acknowledged.
     *
     * @return how many entries were adopted
     */
    int reconcile(String contextId, List<Entry> stored) {
        NavigableMap<Long, Entry> mine = acknowledged.computeIfAbsent(contextId, c -> new ConcurrentSkipListMap<>());
        for (int i = 0; i < stored.size(); i++) {
            if (stored.get(i).getSequence() != i + 1) {
                fail(contextId + ": entry " + i + " holds sequence " + stored.get(i).getSequence() + ", not " + (i + 1)
                    + ": a gap or a reordering");
            }
        }
        if (!mine.isEmpty() && mine.lastKey() > stored.size()) {
            List<Long> lost = new ArrayList<>(mine.tailMap((long) stored.size(), false).keySet());
            fail(contextId + ": " + lost.size() + " acknowledged entries are lost, sequences "
                + lost.subList(0, Math.min(20, lost.size())) + "...; the server holds 1.." + stored.size());
        }
        int adopted = 0;
        long previousAt = 0;
        for (Entry e : stored) {
            assertTrue(e.getAppendedAtNs() >= previousAt,
                () -> contextId + ": appended_at_ns decreases at sequence " + e.getSequence());
            previousAt = e.getAppendedAtNs();
            Entry acked = mine.get(e.getSequence());
            if (acked != null) {
                assertEquals(acked, e, () -> contextId + ": acknowledged entry " + e.getSequence() + " came back changed");
                continue;
            }
            String tag = e.getMetadataMap().get(TAG);
            AppendRequest sent = tag == null ? null : unacknowledged.remove(tag);
            if (sent == null) {
                fail(contextId + ": entry " + e.getSequence() + " was neither acknowledged nor sent unanswered "
                    + "(or it is stored twice): " + e);
            }
            assertEquals(sent.getContextId(), contextId, "an unanswered request's entry is in its own context");
            assertEquals(expected(sent, e.getSequence(), e.getId(), e.getAppendedAtNs()), e,
                () -> contextId + ": an unanswered request was stored other than sent");
            mine.put(e.getSequence(), e);
            adopted++;
        }
        return adopted;
    }

    /** Forgets the requests left unanswered: after every context was reconciled, they were lost, as is allowed. */
    int forgetUnanswered() {
        int n = unacknowledged.size();
        unacknowledged.clear();
        return n;
    }

    /** The ids of {@code stored} (every context's entries) are unique; returns how many there are. */
    static int assertUniqueIds(Map<String, List<Entry>> stored) {
        Map<String, String> seen = new HashMap<>();
        for (var c : stored.entrySet()) {
            for (Entry e : c.getValue()) {
                String where = c.getKey() + "#" + e.getSequence();
                String before = seen.put(e.getId(), where);
                if (before != null) {
                    fail("id " + e.getId() + " is held by both " + before + " and " + where);
                }
            }
        }
        return seen.size();
    }
}
