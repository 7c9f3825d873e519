package io.converge.ledger.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An entry's metadata already in the record's encoding (the metadata block of
 * {@link EntryRecord}), for a transport that reads metadata off the wire as bytes: the
 * ledger checks its size and writes it into the record without a String per key and
 * value, so a request with many pairs costs time and memory linear in its bytes.
 *
 * <p>As a {@link Map} it is read-only, and decodes each key and value when iterated
 * (lookups are linear); its keys are distinct. Immutable and thread-safe.
 */
public final class MetadataBlock extends AbstractMap<String, String> {
    /** The block's u32 fields, in the record's byte order. */
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, EntryRecord.ORDER);

    private final byte[] block;
    private final int pairs;
    private final int utf8Bytes;

    private MetadataBlock(byte[] block, int pairs, int utf8Bytes) {
        this.block = block;
        this.pairs = pairs;
        this.utf8Bytes = utf8Bytes;
    }

    /**
     * The block of {@code pairs} pairs whose bytes lie in {@code source}: for pair {@code p},
     * {@code ranges[4p]} and {@code ranges[4p+1]} are its key's offset and length,
     * {@code ranges[4p+2]} and {@code ranges[4p+3]} its value's; a pair whose key length is
     * negative is skipped. The caller guarantees that every range holds valid UTF-8 and
     * that the keys kept are distinct; nothing here checks either.
     */
    public static MetadataBlock copyOf(byte[] source, int[] ranges, int pairs) {
        int kept = 0;
        long utf8 = 0;
        for (int p = 0; p < pairs; p++) {
            if (ranges[4 * p + 1] >= 0) {
                kept++;
                utf8 += ranges[4 * p + 1] + ranges[4 * p + 3];
            }
        }
        long length = EntryRecord.metadataBlockBytes(0, kept) + utf8;
        if (length > Integer.MAX_VALUE - 16) {
            throw LedgerException.invalid("metadata is " + utf8 + " bytes of UTF-8 keys and values in all; the limit is "
                + InputRules.MAX_METADATA_BYTES + " (64 KiB)");
        }
        byte[] out = new byte[(int) length];
        INT.set(out, 0, kept);
        int at = 4;
        for (int p = 0; p < pairs; p++) {
            if (ranges[4 * p + 1] >= 0) {
                at = put(out, at, source, ranges[4 * p], ranges[4 * p + 1]);
                at = put(out, at, source, ranges[4 * p + 2], ranges[4 * p + 3]);
            }
        }
        return new MetadataBlock(out, kept, (int) utf8);
    }

    private static int put(byte[] out, int at, byte[] source, int offset, int length) {
        INT.set(out, at, length);
        System.arraycopy(source, offset, out, at + 4, length);
        return at + 4 + length;
    }

    /** The encoded block; callers must not change it. */
    byte[] block() {
        return block;
    }

    /** The UTF-8 bytes of every key and value, summed. */
    public int utf8Bytes() {
        return utf8Bytes;
    }

    @Override
    public int size() {
        return pairs;
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int next;
                    private int at = 4;

                    @Override
                    public boolean hasNext() {
                        return next < pairs;
                    }

                    @Override
                    public Map.Entry<String, String> next() {
                        if (next >= pairs) {
                            throw new NoSuchElementException();
                        }
                        String k = string();
                        String v = string();
                        next++;
                        return new AbstractMap.SimpleImmutableEntry<>(k, v);
                    }

                    private String string() {
                        int length = (int) INT.get(block, at);
                        String s = new String(block, at + 4, length, StandardCharsets.UTF_8);
                        at += 4 + length;
                        return s;
                    }
                };
            }

            @Override
            public int size() {
                return pairs;
            }
        };
    }
}
