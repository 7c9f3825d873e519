package io.converge.ledger.core;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** A million contexts of one entry each fit in a 2 GiB heap, under the default memory budget. */
class ManyContextsTest {
    private static final long DEADLINE_SECONDS = 90;

    @Test
    void aMillionOneEntryContextsFitInATwoGibHeap() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(List.of(java, "-Xmx2g", "-XX:+UseG1GC", "-cp",
            System.getProperty("java.class.path"), ManyContextsMain.class.getName()))
            .redirectErrorStream(true)
            .start();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(process.getInputStream(), output), "many-contexts-output");
        reader.start();
        if (!process.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("no result within " + DEADLINE_SECONDS + " s: " + output);
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        String text = output.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertEquals(0, process.exitValue(), text);
        assertTrue(text.contains("OK"), text);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
