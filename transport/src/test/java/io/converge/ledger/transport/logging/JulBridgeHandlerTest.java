package io.converge.ledger.transport.logging;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JulBridgeHandlerTest {
    @Test
    void julRecordsComeOutInTheSameFormatWithTheirLevelsMapped() {
        CapturedLog log = new CapturedLog(new LogSettings(LogLevel.DEBUG, LogFormat.JSON));
        JulBridgeHandler bridge = new JulBridgeHandler(log.output);

        bridge.publish(record(Level.SEVERE, "io.grpc.internal.SerializingExecutor", "severe {0}", "x"));
        bridge.publish(record(Level.WARNING, "io.netty.channel.DefaultChannelPipeline", "warning", null));
        bridge.publish(record(Level.INFO, "io.grpc.Server", "info", null));
        bridge.publish(record(Level.FINE, "io.netty.util.internal.PlatformDependent", "fine", null));
        bridge.publish(record(Level.FINEST, "io.netty", "finest: below debug", null));

        assertEquals(4, log.lines().size(), log.text());
        Map<String, Object> first = MiniJson.parseObject(log.lines().get(0));
        assertEquals("ERROR", first.get("level"));
        assertEquals("io.grpc.internal.SerializingExecutor", first.get("logger"));
        assertEquals("severe x", first.get("message"));
        assertEquals("WARN", MiniJson.parseObject(log.lines().get(1)).get("level"));
        assertEquals("INFO", MiniJson.parseObject(log.lines().get(2)).get("level"));
        assertEquals("DEBUG", MiniJson.parseObject(log.lines().get(3)).get("level"));
    }

    @Test
    void aJulExceptionIsKept() {
        CapturedLog log = new CapturedLog(LogSettings.defaults());
        LogRecord r = record(Level.WARNING, "io.grpc.netty.NettyServerHandler", "stream failed", null);
        r.setThrown(new IllegalStateException("reset"));
        new JulBridgeHandler(log.output).publish(r);

        assertTrue(log.lines().get(0).endsWith("io.grpc.netty.NettyServerHandler: stream failed"), log.text());
        assertEquals("\tjava.lang.IllegalStateException: reset", log.lines().get(1));
    }

    @Test
    void theJulLevelLetsThroughExactlyTheRecordsOfTheLevelAndAbove() {
        for (LogLevel level : LogLevel.values()) {
            assertEquals(level, LogLevel.of(level.julLevel()), level.name());
        }
        assertEquals(LogLevel.DEBUG, LogLevel.of(Level.CONFIG));
        assertEquals(LogLevel.TRACE, LogLevel.of(Level.FINER));
    }

    private static LogRecord record(Level level, String logger, String message, Object param) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(logger);
        if (param != null) {
            r.setParameters(new Object[] {param});
        }
        return r;
    }
}
