package io.converge.ledger.core;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The one write path of entries: encodes an entry as an {@link EntryRecord} into the
 * {@link RecordStore} and indexes it in its {@link ContextLog}. Appends, batches, Loads
 * and nothing else use it. Sequencer thread only; the caller made room
 * ({@link RecordStore#ensureRoom}) first and publishes the log afterwards.
 *
 * <p>Allocates only what the record needs encoded and does not have: a key's UTF-8
 * bytes (once per run of one key) and the metadata block of an entry with metadata.
 */
final class EntryWriter {
    private final RecordStore records;
    private final CRC32C crc = new CRC32C();
    private String lastKey = "";
    private byte[] lastKeyUtf8 = EntryRecord.EMPTY;

    EntryWriter(RecordStore records) {
        this.records = records;
    }

    /** The record size of an entry of {@code log} with these fields. */
    static int recordBytes(int contextIdBytes, int keyBytes, int metadataUtf8Bytes, int metadataPairs, int payloadBytes) {
        return EntryRecord.size(contextIdBytes, keyBytes,
            EntryRecord.metadataBlockBytes(metadataUtf8Bytes, metadataPairs), payloadBytes);
    }

    /**
     * Writes the entry's record and indexes it as {@code log}'s next entry (unpublished).
     *
     * @return the entry's sequence
     */
    long write(ContextWriter log, long idHi, long idLo, long appendedAtNs, String key, byte[] payload,
               Map<String, String> metadata) {
        return write(log, idHi, idLo, appendedAtNs, key, payload, EntryRecord.encodeMetadata(metadata));
    }

    /** As the other {@code write}, with the metadata already encoded as a record's block. */
    long write(ContextWriter log, long idHi, long idLo, long appendedAtNs, String key, byte[] payload,
               byte[] metadataBlock) {
        byte[] keyUtf8 = utf8(key);
        byte[] contextId = log.contextIdUtf8();
        int size = EntryRecord.size(contextId.length, keyUtf8.length, metadataBlock.length, payload.length);
        long position = records.claim(size);
        Segment segment = records.segment(position);
        EntryRecord.write(segment.records(), segment.writerView(), crc, RecordStore.offset(position),
            log.nextSequence(), idHi, idLo, appendedAtNs, contextId, keyUtf8, metadataBlock, payload);
        return log.append(position, appendedAtNs);
    }

    private byte[] utf8(String key) {
        if (key != lastKey && !key.equals(lastKey)) {
            lastKeyUtf8 = key.getBytes(StandardCharsets.UTF_8);
            lastKey = key;
        }
        return lastKeyUtf8;
    }
}
