package io.converge.ledger.core;

import java.util.Map;

/**
 * The contract's limits on client input, checked before a command enters the ring so
 * that a refused request changes nothing. Stateless and thread-safe.
 */
public final class InputRules {
    /** Longest context id, in UTF-8 bytes. */
    public static final int MAX_CONTEXT_ID_BYTES = 1024;
    /** Longest key (of an entry or a filter), in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;
    /** Most metadata per entry: the UTF-8 bytes of every key and value, summed. */
    public static final int MAX_METADATA_BYTES = 64 * 1024;
    /** Largest payload, in bytes; a payload of exactly this size is accepted. */
    public static final int MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;
    /** Most entries in one batch (the ring's size, when that is smaller, caps it further). */
    public static final int MAX_BATCH_ENTRIES = 8192;

    private InputRules() {
    }

    /**
     * @return the context id's length in UTF-8 bytes
     * @throws LedgerException INVALID_ARGUMENT when empty, too long or not valid UTF-8
     */
    public static int checkContextId(String contextId) {
        if (contextId == null || contextId.isEmpty()) {
            throw LedgerException.invalid("context_id is empty; it must be 1 to "
                + MAX_CONTEXT_ID_BYTES + " bytes of UTF-8");
        }
        int bytes = utf8Length(contextId);
        if (bytes < 0) {
            throw LedgerException.invalid("context_id is not valid UTF-8");
        }
        if (bytes > MAX_CONTEXT_ID_BYTES) {
            throw LedgerException.invalid("context_id is " + bytes + " bytes of UTF-8; the limit is "
                + MAX_CONTEXT_ID_BYTES);
        }
        return bytes;
    }

    /**
     * @param what how the client names the field, e.g. "key" or "key filter"
     * @return the key's length in UTF-8 bytes
     * @throws LedgerException INVALID_ARGUMENT when too long or not valid UTF-8
     */
    public static int checkKey(String key, String what) {
        int bytes = utf8Length(key);
        if (bytes < 0) {
            throw LedgerException.invalid(what + " is not valid UTF-8");
        }
        if (bytes > MAX_KEY_BYTES) {
            throw LedgerException.invalid(what + " is " + bytes + " bytes of UTF-8; the limit is "
                + MAX_KEY_BYTES);
        }
        return bytes;
    }

    /**
     * @return the metadata's size: the UTF-8 bytes of every key and value, summed
     * @throws LedgerException INVALID_ARGUMENT when larger than 64 KiB or not valid UTF-8
     */
    public static int checkMetadata(Map<String, String> metadata) {
        long total = metadata instanceof MetadataBlock encoded ? encoded.utf8Bytes() : utf8Bytes(metadata);
        if (total > MAX_METADATA_BYTES) {
            throw LedgerException.invalid("metadata is " + total
                + " bytes of UTF-8 keys and values in all; the limit is " + MAX_METADATA_BYTES + " (64 KiB)");
        }
        return (int) total;
    }

    private static long utf8Bytes(Map<String, String> metadata) {
        long total = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            int k = utf8Length(e.getKey());
            int v = utf8Length(e.getValue());
            if (k < 0 || v < 0) {
                throw LedgerException.invalid("metadata is not valid UTF-8");
            }
            total += k + v;
        }
        return total;
    }

    /** @throws LedgerException RESOURCE_EXHAUSTED when larger than 4 MiB */
    public static void checkPayload(int length) {
        if (length > MAX_PAYLOAD_BYTES) {
            throw LedgerException.exhausted("payload is " + length + " bytes; the limit is "
                + MAX_PAYLOAD_BYTES + " bytes (4 MiB)");
        }
    }

    /**
     * @throws LedgerException RESOURCE_EXHAUSTED naming the first entry beyond {@code maxEntries}
     */
    static void checkBatchSize(int entries, int maxEntries) {
        if (entries > maxEntries) {
            throw LedgerException.exhausted("entry " + maxEntries + ": a batch holds at most " + maxEntries
                + " entries and this one has " + entries);
        }
    }

    /** The refusal of a batch for its entry {@code index}: the entry's own refusal, its message prefixed with the index. */
    static LedgerException atEntry(int index, LedgerException refused) {
        return new LedgerException(refused.reason(), "entry " + index + ": " + refused.getMessage());
    }

    /**
     * Length of {@code s} encoded as UTF-8, without allocating.
     *
     * @return the length in bytes, or -1 when {@code s} holds an unpaired surrogate
     */
    public static int utf8Length(String s) {
        int n = s.length();
        int bytes = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 4;
                    i++;
                } else {
                    return -1;
                }
            } else if (Character.isLowSurrogate(c)) {
                return -1;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
