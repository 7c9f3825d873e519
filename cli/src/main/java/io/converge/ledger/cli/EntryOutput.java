package io.converge.ledger.cli;

import io.converge.context.v1.Entry;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Prints entries in one of three ways: a human table (one row per entry, payloads shortened),
 * JSON lines (every field; the payload as UTF-8 text when printable, else base64, said by
 * {@code payload_encoding}), or raw (the payload bytes only, nothing between them).
 * Every entry is flushed as it is printed. Not thread-safe.
 */
final class EntryOutput {
    /** How entries are printed. */
    enum Style { TABLE, JSON, RAW }

    private static final int SHOWN_CHARS = 80;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
        .withZone(ZoneOffset.UTC);

    private final Style style;
    private final PrintWriter out;
    private final OutputStream raw;
    private final String context;
    private boolean headerShown;

    EntryOutput(Style style, PrintWriter out, OutputStream raw, String context) {
        this.style = style;
        this.out = out;
        this.raw = raw;
        this.context = context;
    }

    static Style style(boolean json, boolean raw) {
        if (json && raw) {
            throw new CliFailure(ExitCodes.USAGE, "--json and --raw exclude each other");
        }
        return json ? Style.JSON : raw ? Style.RAW : Style.TABLE;
    }

    Style style() {
        return style;
    }

    void print(Entry entry) {
        switch (style) {
            case RAW -> {
                try {
                    entry.getPayload().writeTo(raw);
                    raw.flush();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            case JSON -> {
                out.println(json(context, entry));
                out.flush();
            }
            default -> {
                if (!headerShown) {
                    out.println(String.format("%-6s  %-24s  %-12s  %s", "SEQ", "APPENDED_AT (UTC)", "KEY", "PAYLOAD"));
                    headerShown = true;
                }
                out.println(row(entry));
                out.flush();
            }
        }
    }

    static String row(Entry entry) {
        String meta = entry.getMetadataCount() == 0 ? "" : "  " + new TreeMap<>(entry.getMetadataMap()).entrySet()
            .stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", ", "{", "}"));
        return String.format("%-6d  %-24s  %-12s  %s%s", entry.getSequence(), time(entry.getAppendedAtNs()),
            entry.getKey().isEmpty() ? "-" : entry.getKey(), shown(entry), meta);
    }

    static String time(long epochNanos) {
        return TIME.format(Instant.ofEpochSecond(0, epochNanos));
    }

    private static String shown(Entry entry) {
        String text = Payloads.printable(entry.getPayload());
        String shown = text == null ? "base64:" + Payloads.base64(entry.getPayload())
            : text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
        if (shown.length() > SHOWN_CHARS) {
            shown = shown.substring(0, SHOWN_CHARS) + "... (" + entry.getPayload().size() + " bytes)";
        }
        return shown;
    }

    static String json(String context, Entry entry) {
        String text = Payloads.printable(entry.getPayload());
        return new Json()
            .field("context", context)
            .field("sequence", entry.getSequence())
            .field("id", entry.getId())
            .field("key", entry.getKey())
            .field("appended_at", time(entry.getAppendedAtNs()))
            .field("appended_at_ns", entry.getAppendedAtNs())
            .field("metadata", (Map<String, String>) new TreeMap<>(entry.getMetadataMap()))
            .field("payload", text != null ? text : Payloads.base64(entry.getPayload()))
            .field("payload_encoding", text != null ? "utf-8" : "base64")
            .toString();
    }
}
