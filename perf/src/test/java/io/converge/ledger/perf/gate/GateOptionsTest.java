package io.converge.ledger.perf.gate;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GateOptionsTest {

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> GateOptions.parse(args)).getMessage();
    }

    @Test
    void noArgumentsGateEveryCheckUnplantedAgainstTheCommittedBaseline() {
        GateOptions o = GateOptions.parse();
        assertFalse(o.measure());
        assertEquals(Path.of("perf", "gate-baseline.properties"), o.baseline());
        assertEquals(List.of("core", "unary", "stream"), o.checks());
        assertEquals(PlantedSlowdown.NONE, o.plant());
        assertFalse(o.plant().any());
    }

    @Test
    void measureReadsOnlyInTheGatesOrderAndAnySubsetOfPlantedSpins() {
        GateOptions o = GateOptions.parse("--measure", "--only", "stream,unary", "--plant", "stream=5000, unary=20000");
        assertTrue(o.measure());
        assertEquals(List.of("unary", "stream"), o.checks());
        assertEquals(new PlantedSlowdown(0, 20_000, 5_000), o.plant());
        assertEquals(new PlantedSlowdown(150, 0, 0), GateOptions.parse("--plant", "core=150", "--measure").plant());
        assertEquals(new PlantedSlowdown(1, 2, 3), PlantedSlowdown.parse("core=1,unary=2,stream=3"));
    }

    @Test
    void theGateTakesAPlantToProveACheckButMeasuresEveryCheckAlways() {
        GateOptions planted = GateOptions.parse("--baseline", "b.properties", "--plant", "core=100");
        assertFalse(planted.measure());
        assertEquals(new PlantedSlowdown(100, 0, 0), planted.plant());
        assertEquals(GateOptions.ALL, planted.checks());
        assertTrue(refusal("--baseline", "b.properties", "--only", "core").contains("--only is only for --measure"));
    }

    @Test
    void badPlantSpecsAreRefusedSayingWhatIsWrong() {
        for (String spec : List.of("", "core", "disk=5", "core=1,", "=5")) {
            assertTrue(refusal("--measure", "--plant", spec).contains("is not core=NS, unary=NS or stream=NS"), spec);
        }
        assertTrue(refusal("--measure", "--plant", "core=1e3").contains("'core=1e3' does not give a whole number"));
        assertTrue(refusal("--measure", "--plant", "core=").contains("'core=' does not give a whole number"));
        assertTrue(refusal("--measure", "--plant", "unary=-1").contains("'unary=-1' must be from 0 to 10000000 ns"));
        assertTrue(refusal("--measure", "--plant", "stream=20000000").contains("must be from 0 to 10000000 ns"));
        assertTrue(refusal("--measure", "--plant", "core=1,core=2").contains("core is named twice"));
    }

    @Test
    void unknownOptionsMissingValuesAndUnknownChecksAreRefused() {
        assertTrue(refusal("--measure", "--fast").contains("unknown option --fast"));
        assertTrue(refusal("--measure", "--plant").contains("--plant needs a value"));
        assertTrue(refusal("--measure", "--only", "core,disk").contains("'disk' is not one of [core, unary, stream]"));
    }
}
