package io.converge.ledger.perf.dashboard;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PromQlTest {
    /** Three scrapes a second apart; the counter restarts between the second and third. */
    private static final Scrapes SCRAPES = new Scrapes(List.of(
        scrape(0, """
            calls_total{method="Append",status="OK"} 100
            calls_total{method="Append",status="RESOURCE_EXHAUSTED"} 0
            calls_total{method="Get",status="OK"} 10
            ring_remaining 900
            ring_size 1000
            """),
        scrape(1000, """
            calls_total{method="Append",status="OK"} 200
            calls_total{method="Append",status="RESOURCE_EXHAUSTED"} 5
            calls_total{method="Get",status="OK"} 30
            ring_remaining 50
            ring_size 1000
            """),
        scrape(2000, """
            calls_total{method="Append",status="OK"} 40
            calls_total{method="Append",status="RESOURCE_EXHAUSTED"} 5
            calls_total{method="Get",status="OK"} 50
            ring_remaining 10
            ring_size 1000
            """)));

    private static Scrapes.Scrape scrape(long millis, String text) {
        return new Scrapes.Scrape(millis, PromText.parse(text));
    }

    private static Map<Map<String, String>, Double> eval(String expr, int at) {
        PromQl.Value v = PromQl.parse(expr).eval(new PromQl.At(SCRAPES, at, 4000));
        return v.vector;
    }

    @Test
    void aSelectorMatchesByEqualityAndAnchoredRegex() {
        assertEquals(2, eval("calls_total{method=\"Append\"}", 0).size());
        assertEquals(1, eval("calls_total{method=~\"App.*\",status!~\"OK|CANCELLED\"}", 0).size());
        assertEquals(0, eval("calls_total{method=~\"ppend\"}", 0).size(), "regexes match the whole value");
        assertEquals(2, eval("calls_total{status!=\"RESOURCE_EXHAUSTED\"}", 0).size());
    }

    @Test
    void rateIsTheIncreaseOverTheRangePerSecondCountingARestartAsAReset() {
        Map<Map<String, String>, Double> rate = eval("rate(calls_total{status=\"OK\"}[$__rate_interval])", 2);
        assertEquals(70.0, rate.get(Map.of("method", "Append", "status", "OK")), "(100 + 40) over 2 s");
        assertEquals(20.0, rate.get(Map.of("method", "Get", "status", "OK")));
        assertTrue(eval("rate(calls_total{method=\"Get\"}[1s])", 2).isEmpty(),
            "a 1 s range holds the last scrape alone: the one at its start edge is excluded");
        assertTrue(eval("rate(calls_total[10s])", 0).isEmpty(), "one sample makes no rate");
        assertEquals(4 * 20.0, eval("increase(calls_total{method=\"Get\"}[4s])", 2).values().iterator().next());
    }

    @Test
    void sumByKeepsOnlyTheGroupingLabels() {
        Map<Map<String, String>, Double> sum = eval("sum by (method) (calls_total)", 1);
        assertEquals(Map.of(Map.of("method", "Append"), 205.0, Map.of("method", "Get"), 30.0), sum);
        assertEquals(Map.of(Map.of(), 235.0), eval("sum(calls_total)", 1));
        assertEquals(Map.of(Map.of("method", "Append"), 2.0, Map.of("method", "Get"), 1.0),
            eval("count without (status) (calls_total)", 1));
    }

    @Test
    void vectorsDivideOneToOneAndComparisonsFilter() {
        assertEquals(Map.of(Map.of(), 0.05), eval("ring_remaining / ring_size", 1));
        assertEquals(1, eval("ring_remaining / ring_size < 0.1", 1).size());
        assertTrue(eval("ring_remaining / ring_size < 0.1", 0).isEmpty());
        assertEquals(Map.of(Map.of(), 5.0), eval("ring_remaining / 10 - 0", 1));
        assertEquals(1, eval("ring_size > 0 and ring_remaining < 100", 1).size());
        assertTrue(eval("ring_size > 0 and ring_remaining < 100", 0).isEmpty());
        assertEquals(1, eval("ring_remaining < 100 or ring_remaining > 100", 0).size());
        assertTrue(eval("ring_size unless ring_remaining", 0).isEmpty());
    }

    @Test
    void theMetricNamesOfAnExpressionAreWhatItSelects() {
        assertEquals(Set.of("a_total", "b", "c"),
            PromQl.metricNames("sum by (x) (rate(a_total{y=~\"1|2\"}[5m])) / b > 0 and c"));
    }

    @Test
    void whatTheSubsetDoesNotKnowIsRefusedSayingWhere() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> PromQl.parse("histogram_quantile(0.99, x)"));
        assertTrue(e.getMessage().startsWith("unsupported function histogram_quantile"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PromQl.parse("rate(x[5y])"));
        assertThrows(IllegalArgumentException.class, () -> PromQl.parse("x{a=\"1\"} )"));
    }
}
