package io.converge.ledger.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link SnapshotEntries} built by hand for tests: consecutive entries from {@code firstSequence}. */
final class TestEntries implements SnapshotEntries {
    /** One entry as the codec writes it. */
    record Row(long idHi, long idLo, long appendedAtNs, String key, byte[] payload, Map<String, String> metadata) {
    }

    private final long firstSequence;
    private final List<Row> rows = new ArrayList<>();

    TestEntries(long firstSequence) {
        this.firstSequence = firstSequence;
    }

    TestEntries add(long idHi, long idLo, long appendedAtNs, String key, byte[] payload, Map<String, String> metadata) {
        rows.add(new Row(idHi, idLo, appendedAtNs, key, payload, metadata));
        return this;
    }

    /** Metadata in the given order: {@code k1, v1, k2, v2, ...}. */
    static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    List<Row> rows() {
        return rows;
    }

    @Override
    public long firstSequence() {
        return firstSequence;
    }

    @Override
    public int size() {
        return rows.size();
    }

    @Override
    public long idHi(int i) {
        return rows.get(i).idHi();
    }

    @Override
    public long idLo(int i) {
        return rows.get(i).idLo();
    }

    @Override
    public long appendedAtNs(int i) {
        return rows.get(i).appendedAtNs();
    }

    @Override
    public String key(int i) {
        return rows.get(i).key();
    }

    @Override
    public byte[] payload(int i) {
        return rows.get(i).payload();
    }

    @Override
    public Map<String, String> metadata(int i) {
        return rows.get(i).metadata();
    }

    /** Asserts that {@code actual} holds exactly the same entries, field by field. */
    static void assertSameEntries(SnapshotEntries expected, SnapshotEntries actual) {
        assertEquals(expected.firstSequence(), actual.firstSequence(), "firstSequence");
        assertEquals(expected.size(), actual.size(), "size");
        for (int i = 0; i < expected.size(); i++) {
            String at = "entry " + i;
            assertEquals(expected.idHi(i), actual.idHi(i), at + " idHi");
            assertEquals(expected.idLo(i), actual.idLo(i), at + " idLo");
            assertEquals(expected.appendedAtNs(i), actual.appendedAtNs(i), at + " appendedAtNs");
            assertEquals(expected.key(i), actual.key(i), at + " key");
            assertArrayEquals(expected.payload(i), actual.payload(i), at + " payload");
            assertEquals(expected.metadata(i), actual.metadata(i), at + " metadata");
            assertEquals(List.copyOf(expected.metadata(i).entrySet()), List.copyOf(actual.metadata(i).entrySet()),
                at + " metadata order");
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("TestEntries(first=" + firstSequence + ")");
        for (Row r : rows) {
            sb.append("\n  ").append(r.key()).append(' ').append(Arrays.toString(r.payload())).append(' ')
                .append(r.metadata());
        }
        return sb.toString();
    }
}
