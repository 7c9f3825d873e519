package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.Entry;
import io.converge.context.v1.LoadRequest;
import io.converge.context.v1.LoadResponse;
import io.converge.context.v1.SnapshotRequest;
import io.converge.context.v1.SnapshotResponse;
import io.converge.context.v1.WatchRequest;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.assertCloseToNow;
import static io.converge.ledger.transport.ContractSupport.assertRejected;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.latest;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.range;
import static io.converge.ledger.transport.ContractSupport.readAll;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static io.converge.ledger.transport.ContractSupport.utf8OfBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONTRACT.md, "Snapshot" and "Load": the blob's fields, round trips and the Load rules. */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class SnapshotLoadContractTest extends ServedOverBothTransports {
    static SnapshotResponse snapshot(LedgerFixture f, String contextId) {
        return f.blocking().snapshot(SnapshotRequest.newBuilder().setContextId(contextId).build());
    }

    static LoadResponse load(LedgerFixture f, String contextId, ByteString blob, boolean failIfExists) {
        return f.blocking().load(LoadRequest.newBuilder()
            .setContextId(contextId).setSnapshot(blob).setFailIfExists(failIfExists).build());
    }

    static LoadResponse load(LedgerFixture f, String contextId, byte[] blob) {
        return load(f, contextId, ByteString.copyFrom(blob), false);
    }

    /** Entries that exercise every field: empty and multi-byte keys, empty and large payloads, metadata. */
    private static List<Entry> appendVaried(LedgerFixture f, String contextId) {
        List<Entry> appended = new ArrayList<>();
        appended.add(append(f.blocking(), contextId, "", new byte[0], Map.of()));
        appended.add(append(f.blocking(), contextId, "ключ/€/\uD83D\uDE00", bytes(100, 1),
            Map.of("a", "1", "ü", "€", "", "")));
        Map<String, String> wide = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            wide.put("m" + i, utf8OfBytes(i * 10));
        }
        appended.add(append(f.blocking(), contextId, utf8OfBytes(1024), bytes(200_000, 2), wide));
        appended.addAll(appendMany(f, contextId, 9));
        assertEquals(oneTo(12), sequences(appended));
        return appended;
    }

    @Test
    void aSnapshotReportsTheLatestSequenceEntryCountFormatVersionAndCreationTime() {
        appendMany(fixture, "ctx", 7);
        SnapshotResponse s = snapshot(fixture, "ctx");
        assertEquals(7, s.getSequence());
        assertEquals(7, s.getMetadata().getEntryCount());
        assertTrue(s.getMetadata().getVersion() >= 1, "version " + s.getMetadata().getVersion());
        assertCloseToNow(s.getMetadata().getCreatedAtNs(), "created_at_ns");
        assertFalse(s.getSnapshot().isEmpty());

        appendMany(fixture, "ctx", 2);
        SnapshotResponse later = snapshot(fixture, "ctx");
        assertEquals(9, later.getSequence());
        assertEquals(9, later.getMetadata().getEntryCount());
        assertTrue(later.getMetadata().getCreatedAtNs() >= s.getMetadata().getCreatedAtNs());
    }

    @Test
    void aSnapshotOfAnUnknownContextIsAValidBlobOfZeroEntriesThatLoads() {
        SnapshotResponse s = snapshot(fixture, "never-written");
        assertEquals(0, s.getSequence());
        assertEquals(0, s.getMetadata().getEntryCount());
        assertTrue(s.getMetadata().getVersion() >= 1);
        assertCloseToNow(s.getMetadata().getCreatedAtNs(), "created_at_ns");
        assertFalse(s.getSnapshot().isEmpty(), "a valid blob is never empty: an empty one is refused by Load");

        LoadResponse intoEmpty = load(fixture, "fresh", s.getSnapshot(), true);
        assertEquals(0, intoEmpty.getEntriesRestored());
        assertEquals(0, intoEmpty.getLatestSequence());
        assertEquals(0, latest(fixture, "fresh"));

        appendMany(fixture, "has-entries", 3);
        LoadResponse intoFull = load(fixture, "has-entries", s.getSnapshot(), false);
        assertEquals(0, intoFull.getEntriesRestored());
        assertEquals(3, intoFull.getLatestSequence());
        assertEquals(3, latest(fixture, "has-entries"));
    }

    @Test
    void loadIntoTheSameContextOnAnotherServerKeepsIdsAndEveryField() throws Exception {
        List<Entry> source = appendVaried(fixture, "ctx");
        SnapshotResponse s = snapshot(fixture, "ctx");
        try (LedgerFixture other = LedgerFixture.start(transport)) {
            LoadResponse r = load(other, "ctx", s.getSnapshot(), true);
            assertEquals(12, r.getEntriesRestored());
            assertEquals(s.getSequence(), r.getLatestSequence());
            assertEquals(source, readAll(other, "ctx"),
                "ids, sequences, keys, payloads, metadata and appended_at_ns come back as they were");
            assertEquals(13, append(other, "ctx", "k", "next").getSequence(), "appends continue at latest + 1");
        }
    }

    @Test
    void loadIntoAnotherContextGivesFreshIdsAndKeepsEveryOtherField() throws Exception {
        List<Entry> source = appendVaried(fixture, "src");
        SnapshotResponse s = snapshot(fixture, "src");
        LoadResponse r = load(fixture, "copy", s.getSnapshot(), false);
        assertEquals(12, r.getEntriesRestored());
        assertEquals(12, r.getLatestSequence());
        assertCopiedWithFreshIds(source, readAll(fixture, "copy"));
        assertEquals(source, readAll(fixture, "src"), "the source is untouched");

        try (LedgerFixture other = LedgerFixture.start(transport)) {
            load(other, "elsewhere", s.getSnapshot(), true);
            assertCopiedWithFreshIds(source, readAll(other, "elsewhere"));
        }
    }

    private static void assertCopiedWithFreshIds(List<Entry> source, List<Entry> copy) {
        assertEquals(source.size(), copy.size());
        Set<String> ids = new HashSet<>();
        source.forEach(e -> ids.add(e.getId()));
        for (int i = 0; i < source.size(); i++) {
            Entry want = source.get(i);
            Entry got = copy.get(i);
            assertFalse(got.getId().isEmpty());
            assertTrue(ids.add(got.getId()), "id " + got.getId() + " is not fresh");
            assertEquals(want.toBuilder().setId(got.getId()).build(), got,
                "everything but the id is kept, at sequence " + want.getSequence());
        }
    }

    @Test
    void appendsAfterALoadContinueAtTheLatestSequencePlusOne() {
        appendMany(fixture, "src", 5);
        load(fixture, "copy", snapshot(fixture, "src").getSnapshot().toByteArray());
        assertEquals(6, append(fixture, "copy", "k", "after load").getSequence());
        assertEquals(7, append(fixture, "copy", "k", "and on").getSequence());
        assertEquals(oneTo(7), sequences(readAll(fixture, "copy")));
    }

    @Test
    void watchersOfTheTargetSeeTheRestoredEntries() throws Exception {
        appendMany(fixture, "src", 5);
        SnapshotResponse s = snapshot(fixture, "src");
        WatchRecorder all = WatchRecorder.automatic();
        WatchRecorder tail = WatchRecorder.automatic();
        fixture.async().watch(WatchRequest.newBuilder().setContextId("target").build(), all);
        fixture.async().watch(WatchRequest.newBuilder().setContextId("target").setFromSequence(3).build(), tail);
        ContractSupport.await("both watches are registered", 10,
            () -> fixture.server.ledger().stats().watchersOpen() == 2);

        load(fixture, "target", s.getSnapshot(), true);
        List<Entry> restored = readAll(fixture, "target");
        assertEquals(restored, all.awaitEntries(5));
        assertEquals(restored.subList(3, 5), tail.awaitEntries(2));

        Entry next = append(fixture, "target", "k", "after");
        assertEquals(next, all.awaitEntries(6).get(5));
        assertEquals(List.of(4L, 5L, 6L), sequences(tail.awaitEntries(3)));
    }

    @Test
    void failIfExistsIntoAContextWithEntriesIsAlreadyExistsAndChangesNothing() {
        appendMany(fixture, "src", 5);
        SnapshotResponse s = snapshot(fixture, "src");
        appendMany(fixture, "target", 2);
        List<Entry> before = readAll(fixture, "target");

        assertRejected(Status.Code.ALREADY_EXISTS, "fail_if_exists",
            () -> load(fixture, "target", s.getSnapshot(), true));
        assertEquals(before, readAll(fixture, "target"));
        // Even a snapshot of the target itself, all of which would be skipped.
        assertRejected(Status.Code.ALREADY_EXISTS, "fail_if_exists",
            () -> load(fixture, "src", s.getSnapshot(), true));
        assertEquals(5, latest(fixture, "src"));
        assertEquals(3, append(fixture, "target", "k", "p").getSequence(), "no sequence was used up");
    }

    @Test
    void failIfExistsIntoAnEmptyContextLoads() {
        appendMany(fixture, "src", 4);
        LoadResponse r = load(fixture, "target", snapshot(fixture, "src").getSnapshot(), true);
        assertEquals(4, r.getEntriesRestored());
        assertEquals(4, r.getLatestSequence());
    }

    @Test
    void intoAContextWithEntriesThoseAtOrBelowItsLatestAreSkippedAndTheRestAppended() {
        List<Entry> source = appendMany(fixture, "src", 5);
        SnapshotResponse s = snapshot(fixture, "src");
        List<Entry> own = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            own.add(append(fixture, "target", "own", "own " + i));
        }

        LoadResponse r = load(fixture, "target", s.getSnapshot(), false);
        assertEquals(2, r.getEntriesRestored(), "only what was appended is counted");
        assertEquals(5, r.getLatestSequence());
        List<Entry> after = readAll(fixture, "target");
        assertEquals(own, after.subList(0, 3), "history is never rewritten");
        for (int i = 3; i < 5; i++) {
            Entry want = source.get(i);
            Entry got = after.get(i);
            assertEquals(want.getSequence(), got.getSequence(), "appended with its original sequence");
            assertEquals(want.getKey(), got.getKey());
            assertEquals(want.getPayload(), got.getPayload());
            assertEquals(want.getMetadataMap(), got.getMetadataMap());
            assertNotEquals(want.getId(), got.getId(), "another context: a fresh id");
        }
        for (int i = 1; i < after.size(); i++) {
            assertTrue(after.get(i).getAppendedAtNs() >= after.get(i - 1).getAppendedAtNs(),
                "appended_at_ns never decreases within a context, Load or not");
        }
        assertEquals(6, append(fixture, "target", "k", "next").getSequence());
    }

    @Test
    void intoItsOwnContextWithEntriesOnAnotherServerTheAppendedEntriesKeepTheirIds() throws Exception {
        List<Entry> source = appendMany(fixture, "ctx", 5);
        SnapshotResponse s = snapshot(fixture, "ctx");
        try (LedgerFixture other = LedgerFixture.start(transport)) {
            List<Entry> own = appendMany(other, "ctx", 2);
            LoadResponse r = load(other, "ctx", s.getSnapshot(), false);
            assertEquals(3, r.getEntriesRestored());
            assertEquals(5, r.getLatestSequence());
            List<Entry> after = readAll(other, "ctx");
            assertEquals(own, after.subList(0, 2));
            for (int i = 2; i < 5; i++) {
                Entry want = source.get(i);
                Entry got = after.get(i);
                assertEquals(want.toBuilder().setAppendedAtNs(got.getAppendedAtNs()).build(), got,
                    "the snapshot's own context: id kept with every other field");
            }
        }
    }

    @Test
    void aSnapshotEntirelyAtOrBelowTheTargetsLatestRestoresNothing() {
        appendMany(fixture, "src", 3);
        SnapshotResponse s = snapshot(fixture, "src");
        appendMany(fixture, "src", 2);
        List<Entry> before = readAll(fixture, "src");

        LoadResponse r = load(fixture, "src", s.getSnapshot(), false);
        assertEquals(0, r.getEntriesRestored());
        assertEquals(5, r.getLatestSequence());
        assertEquals(before, readAll(fixture, "src"), "history is never rewritten");

        LoadResponse again = load(fixture, "src", snapshot(fixture, "src").getSnapshot(), false);
        assertEquals(0, again.getEntriesRestored());
        assertEquals(5, again.getLatestSequence());
        assertEquals(before, readAll(fixture, "src"));
    }

    @Test
    void entriesThatWouldLeaveAGapAreFailedPreconditionAndChangeNothing() {
        byte[] fiveToSeven = SnapshotBlobs.run("crafted", 5, 3);

        assertRejected(Status.Code.FAILED_PRECONDITION, "gap", () -> load(fixture, "empty", fiveToSeven));
        assertEquals(0, latest(fixture, "empty"));

        appendMany(fixture, "at-two", 2);
        List<Entry> before = readAll(fixture, "at-two");
        assertRejected(Status.Code.FAILED_PRECONDITION, "gap", () -> load(fixture, "at-two", fiveToSeven));
        assertEquals(before, readAll(fixture, "at-two"));
        assertEquals(3, append(fixture, "at-two", "k", "p").getSequence(), "no sequence was used up");
    }

    @Test
    void entriesThatContinueTheTargetWithoutAGapAreAppendedWithTheirOriginalSequences() {
        byte[] fiveToSeven = SnapshotBlobs.run("crafted", 5, 3);

        appendMany(fixture, "at-four", 4);
        LoadResponse r = load(fixture, "at-four", fiveToSeven);
        assertEquals(3, r.getEntriesRestored());
        assertEquals(7, r.getLatestSequence());
        List<Entry> after = readAll(fixture, "at-four");
        assertEquals(oneTo(7), sequences(after));
        for (int i = 4; i < 7; i++) {
            assertEquals("payload " + (i + 1), after.get(i).getPayload().toStringUtf8());
            assertEquals(Map.of("seq", "" + (i + 1)), after.get(i).getMetadataMap());
        }

        appendMany(fixture, "at-six", 6);
        LoadResponse one = load(fixture, "at-six", fiveToSeven);
        assertEquals(1, one.getEntriesRestored(), "5 and 6 skipped, 7 appended");
        assertEquals(7, one.getLatestSequence());
        assertEquals("payload 7", readAll(fixture, "at-six").get(6).getPayload().toStringUtf8());

        appendMany(fixture, "at-nine", 9);
        LoadResponse none = load(fixture, "at-nine", fiveToSeven);
        assertEquals(0, none.getEntriesRestored());
        assertEquals(9, none.getLatestSequence());
        assertEquals(range(1, 9), sequences(readAll(fixture, "at-nine")));
    }
}
