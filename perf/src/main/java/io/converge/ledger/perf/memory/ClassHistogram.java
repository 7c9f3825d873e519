package io.converge.ledger.perf.memory;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The live objects of this JVM by class, as {@code jcmd <pid> GC.class_histogram} prints
 * them (which runs a full GC first), read through the DiagnosticCommand MBean. Immutable.
 */
final class ClassHistogram {
    private static final Pattern LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*$");

    /** Bytes of the live instances of each class, by the histogram's class name. */
    private final Map<String, Long> bytes;
    private final Map<String, Long> instances;

    private ClassHistogram(Map<String, Long> bytes, Map<String, Long> instances) {
        this.bytes = bytes;
        this.instances = instances;
    }

    /** Collects the garbage, then counts what is live. */
    static ClassHistogram live() {
        String text;
        try {
            text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IllegalStateException("GC.class_histogram is not available in this JVM", e);
        }
        return parse(text);
    }

    static ClassHistogram parse(String text) {
        Map<String, Long> bytes = new HashMap<>();
        Map<String, Long> instances = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                bytes.merge(m.group(3), Long.parseLong(m.group(2)), Long::sum);
                instances.merge(m.group(3), Long.parseLong(m.group(1)), Long::sum);
            }
        }
        return new ClassHistogram(bytes, instances);
    }

    long bytes(String className) {
        return bytes.getOrDefault(className, 0L);
    }

    long instances(String className) {
        return instances.getOrDefault(className, 0L);
    }

    long totalBytes() {
        return bytes.values().stream().mapToLong(Long::longValue).sum();
    }

    /** What became live since {@code before}, class by class (negative where fewer are live now). */
    Map<String, Long> bytesSince(ClassHistogram before) {
        Map<String, Long> delta = new HashMap<>();
        bytes.forEach((k, v) -> delta.merge(k, v, Long::sum));
        before.bytes.forEach((k, v) -> delta.merge(k, -v, Long::sum));
        delta.values().removeIf(v -> v == 0);
        return delta;
    }

    Map<String, Long> instancesSince(ClassHistogram before) {
        Map<String, Long> delta = new HashMap<>();
        instances.forEach((k, v) -> delta.merge(k, v, Long::sum));
        before.instances.forEach((k, v) -> delta.merge(k, -v, Long::sum));
        delta.values().removeIf(v -> v == 0);
        return delta;
    }
}
