package io.converge.ledger.perf.gate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PerfGateTest {
    private static final GateBaseline BASELINE = new GateBaseline(Map.of(
        "a", new GateBaseline.Limit(0.60, 0.25), // floor 0.45
        "b", new GateBaseline.Limit(0.90, 0.10))); // floor 0.81

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);

    private static final class Measurements {
        private final Deque<Map<String, Double>> queue;
        private int taken;

        Measurements(List<Map<String, Double>> each) {
            this.queue = new ArrayDeque<>(each);
        }

        Map<String, Double> next() {
            taken++;
            return queue.removeFirst();
        }
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    @Test
    void ratiosAtOrAboveTheirFloorsPassOnTheFirstMeasurement() {
        Measurements m = new Measurements(List.of(Map.of("a", 0.45, "b", 0.95)));
        assertTrue(PerfGate.run(m::next, BASELINE, out));
        assertEquals(1, m.taken);
        assertTrue(log().contains("PASSED"), log());
    }

    @Test
    void aRatioBelowItsFloorIsMeasuredOnceMoreAndPassesIfTheSecondIsFine() {
        Measurements m = new Measurements(List.of(Map.of("a", 0.44, "b", 0.95), Map.of("a", 0.58, "b", 0.92)));
        assertTrue(PerfGate.run(m::next, BASELINE, out));
        assertEquals(2, m.taken);
        assertTrue(log().contains("PASSED on the second measurement"), log());
    }

    @Test
    void aRatioBelowItsFloorTwiceInARowFailsAndTheReportNamesIt() {
        Measurements m = new Measurements(List.of(Map.of("a", 0.60, "b", 0.70), Map.of("a", 0.60, "b", 0.80)));
        assertFalse(PerfGate.run(m::next, BASELINE, out));
        assertEquals(2, m.taken);
        String last = log().substring(log().indexOf("measuring once more"));
        assertTrue(last.matches("(?s).*\\bb\\s+0\\.800\\s+0\\.900\\s+0\\.810\\s+-11\\.1%\\s+REGRESSION.*"), last);
        assertTrue(log().contains("FAILED: b fell below its floor in two measurements in a row"), log());
    }

    @Test
    void twoDifferentRatiosEachBelowTheirFloorOnceDoNotFailTheGate() {
        Measurements m = new Measurements(List.of(Map.of("a", 0.44, "b", 0.95), Map.of("a", 0.58, "b", 0.80)));
        assertTrue(PerfGate.run(m::next, BASELINE, out));
        assertEquals(2, m.taken);
        assertTrue(log().contains("PASSED on the second measurement (no ratio fell below its floor twice in a row)"),
            log());
    }

    @Test
    void theStreamRatioAloneBelowItsFloorTwiceFailsAndItsLongNameKeepsTheTableAligned() {
        GateBaseline three = new GateBaseline(Map.of(
            PerfGate.CORE_RATIO, new GateBaseline.Limit(1.6, 0.85),
            PerfGate.GRPC_RATIO, new GateBaseline.Limit(0.87, 0.2),
            PerfGate.STREAM_RATIO, new GateBaseline.Limit(0.5, 0.3))); // floor 0.35
        Map<String, Double> streamDown = Map.of(PerfGate.CORE_RATIO, 1.6, PerfGate.GRPC_RATIO, 0.87,
            PerfGate.STREAM_RATIO, 0.2);
        Measurements m = new Measurements(List.of(streamDown, streamDown));
        assertFalse(PerfGate.run(m::next, three, out));
        assertEquals(2, m.taken);
        List<String> table = log().lines().filter(l -> l.startsWith("ratio") || l.startsWith(PerfGate.CORE_RATIO)
            || l.startsWith(PerfGate.GRPC_RATIO) || l.startsWith(PerfGate.STREAM_RATIO)).toList();
        assertEquals(8, table.size(), log());
        int measuredColumnEnd = table.get(0).indexOf("measured") + "measured".length();
        for (String row : table.subList(1, 4)) {
            // every value ends under its heading
            assertTrue(Character.isDigit(row.charAt(measuredColumnEnd - 1)) && row.charAt(measuredColumnEnd) == ' ', row);
        }
        assertTrue(log().lines().filter(l -> l.contains("REGRESSION")).allMatch(l -> l.startsWith(PerfGate.STREAM_RATIO)),
            log());
    }

    @Test
    void aBaselineRatioTheGateDoesNotMeasureIsAnError() {
        Measurements m = new Measurements(List.of(Map.of("a", 0.60)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PerfGate.run(m::next, BASELINE, out));
        assertTrue(e.getMessage().contains("b"), e.getMessage());
    }

    @Test
    void theBaselineFileIsReadWithEveryRatiosToleranceAndABadOneIsNamed(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("baseline.properties");
        Files.writeString(file, "# comment\nx.baseline=0.5\nx.tolerance=0.2\ny.baseline=1.0\ny.tolerance=0.3\n");
        GateBaseline read = GateBaseline.read(file);
        assertEquals(new GateBaseline.Limit(0.5, 0.2), read.limits().get("x"));
        assertEquals(0.7, read.limits().get("y").floor(), 1e-9);

        Files.writeString(file, "x.baseline=0.5\n");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> GateBaseline.read(file));
        assertTrue(missing.getMessage().contains("x.tolerance"), missing.getMessage());
        Files.writeString(file, "x.baseline=half\nx.tolerance=0.2\n");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> GateBaseline.read(file));
        assertTrue(bad.getMessage().contains("x.baseline=half"), bad.getMessage());
    }

    @Test
    void theCommittedBaselineNamesExactlyTheRatiosTheGateMeasures() throws IOException {
        Path committed = Path.of("gate-baseline.properties"); // surefire runs in the module directory
        GateBaseline baseline = GateBaseline.read(committed);
        assertEquals(List.of(PerfGate.CORE_RATIO, PerfGate.GRPC_RATIO, PerfGate.STREAM_RATIO),
            List.copyOf(baseline.limits().keySet()));
    }

    @Test
    void sideBySideAlternatesTheOrderAndTakesTheMedianOfThePairRatios() {
        StringBuilder order = new StringBuilder();
        double[] subject = {0, 2, 4, 6, 8};  // warm-up first, then 4 trials
        double[] limit = {0, 4, 4, 4, 4};
        int[] s = {0};
        int[] l = {0};
        SideBySide r = SideBySide.measure(n -> {
            order.append('S');
            return subject[s[0]++];
        }, n -> {
            order.append('L');
            return limit[l[0]++];
        }, 4, 1, 1);
        assertEquals("LSLSSLLSSL", order.toString());
        assertEquals(1.25, r.ratio(), 1e-9); // ratios 0.5, 1, 1.5, 2
    }
}
