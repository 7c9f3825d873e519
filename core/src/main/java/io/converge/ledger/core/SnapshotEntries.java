package io.converge.ledger.core;

import java.util.Map;

/**
 * A run of consecutive entries, addressed by index {@code 0..size()-1}, as the
 * {@link SnapshotCodec} writes them and as it hands back what it read. Entry {@code i}
 * has sequence {@code firstSequence() + i}.
 */
public interface SnapshotEntries {
    /** Sequence of the entry at index 0; at least 1. */
    long firstSequence();

    /** Number of entries. */
    int size();

    long idHi(int i);

    long idLo(int i);

    /** Append time of entry {@code i}, Unix epoch in nanoseconds. */
    long appendedAtNs(int i);

    String key(int i);

    byte[] payload(int i);

    Map<String, String> metadata(int i);
}
