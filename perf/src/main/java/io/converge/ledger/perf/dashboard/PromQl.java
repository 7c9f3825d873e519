package io.converge.ledger.perf.dashboard;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.DoubleBinaryOperator;
import java.util.regex.Pattern;

/**
 * The part of PromQL that the ledger's dashboard and alert rules use, evaluated over
 * recorded {@link Scrapes} instead of a Prometheus server: instant selectors with
 * {@code = != =~ !~} matchers, {@code rate} and {@code increase} over a range (with
 * {@code $__rate_interval} as Grafana's variable), {@code sum min max avg count} with
 * {@code by} or {@code without}, the arithmetic and comparison operators between vectors
 * (matched one-to-one on their labels) and scalars, and {@code and or unless}.
 * {@code rate} divides the increase between the first and last sample of the range by the
 * time between them (counter resets handled, no extrapolation to the range's ends).
 * Anything else is refused when parsed. Parsed expressions are immutable.
 */
final class PromQl {
    private PromQl() {
    }

    /** An instant vector: labels (with {@code __name__} while a selector's) to value. A scalar has null labels. */
    static final class Value {
        final Double scalar;
        final Map<Map<String, String>, Double> vector;

        private Value(Double scalar, Map<Map<String, String>, Double> vector) {
            this.scalar = scalar;
            this.vector = vector;
        }

        static Value scalar(double v) {
            return new Value(v, null);
        }

        static Value vector(Map<Map<String, String>, Double> v) {
            return new Value(null, v);
        }
    }

    /** Where an expression is evaluated: at one scrape of a recording. */
    record At(Scrapes scrapes, int index, long rateIntervalMillis) {
        long time() {
            return scrapes.get(index).epochMillis();
        }
    }

    /** A parsed expression. */
    interface Expr {
        Value eval(At at);

        /** Adds the metric names this expression selects to {@code names}. */
        void names(Set<String> names);
    }

    /** Parses {@code text}; throws {@link IllegalArgumentException} saying where it stopped understanding. */
    static Expr parse(String text) {
        Parser p = new Parser(text);
        Expr e = p.or();
        p.blank();
        if (p.i != text.length()) {
            throw p.error("unexpected text");
        }
        return e;
    }

    /** The metric names {@code text} selects. */
    static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        parse(text).names(names);
        return names;
    }

    // ---- the expressions

    private record Matcher(String label, String op, String value, Pattern regex) {
        boolean matches(Map<String, String> labels) {
            String v = labels.getOrDefault(label, "");
            return switch (op) {
                case "=" -> v.equals(value);
                case "!=" -> !v.equals(value);
                case "=~" -> regex.matcher(v).matches();
                default -> !regex.matcher(v).matches();
            };
        }
    }

    private record Selector(String name, List<Matcher> matchers) implements Expr {
        @Override
        public Value eval(At at) {
            return Value.vector(select(at.scrapes().get(at.index())));
        }

        Map<Map<String, String>, Double> select(Scrapes.Scrape scrape) {
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            for (PromSample s : scrape.named(name)) {
                if (matchers.stream().allMatch(m -> m.matches(s.labels()))) {
                    Map<String, String> labels = new TreeMap<>(s.labels());
                    labels.put("__name__", name);
                    out.put(labels, s.value());
                }
            }
            return out;
        }

        @Override
        public void names(Set<String> names) {
            names.add(name);
        }
    }

    /** {@code rate} or {@code increase} of a range selector; range -1 means {@code $__rate_interval}. */
    private record RangeFunction(String function, Selector selector, long rangeMillis) implements Expr {
        @Override
        public Value eval(At at) {
            long range = rangeMillis < 0 ? at.rateIntervalMillis() : rangeMillis;
            long end = at.time();
            Map<Map<String, String>, List<double[]>> points = new LinkedHashMap<>();
            for (int i = 0; i <= at.index(); i++) {
                Scrapes.Scrape s = at.scrapes().get(i);
                if (s.epochMillis() > end - range) {
                    selector.select(s).forEach((labels, v) -> {
                        Map<String, String> key = new TreeMap<>(labels);
                        key.remove("__name__");
                        points.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {s.epochMillis(), v});
                    });
                }
            }
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            points.forEach((labels, p) -> {
                if (p.size() >= 2) {
                    double increase = 0;
                    for (int i = 1; i < p.size(); i++) {
                        double d = p.get(i)[1] - p.get(i - 1)[1];
                        increase += d >= 0 ? d : p.get(i)[1]; // a reset: the counter restarted from 0
                    }
                    double seconds = (p.get(p.size() - 1)[0] - p.get(0)[0]) / 1000.0;
                    double rate = increase / seconds;
                    out.put(labels, function.equals("rate") ? rate : rate * range / 1000.0);
                }
            });
            return Value.vector(out);
        }

        @Override
        public void names(Set<String> names) {
            selector.names(names);
        }
    }

    private record Aggregation(String op, boolean without, List<String> labels, Expr inner) implements Expr {
        @Override
        public Value eval(At at) {
            Value v = inner.eval(at);
            if (v.vector == null) {
                throw new IllegalArgumentException(op + " needs a vector");
            }
            Map<Map<String, String>, List<Double>> groups = new LinkedHashMap<>();
            v.vector.forEach((l, x) -> {
                Map<String, String> key = new TreeMap<>();
                l.forEach((k, val) -> {
                    if (!k.equals("__name__") && labels.contains(k) != without) {
                        key.put(k, val);
                    }
                });
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(x);
            });
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            groups.forEach((key, xs) -> out.put(key, switch (op) {
                case "sum" -> xs.stream().mapToDouble(Double::doubleValue).sum();
                case "min" -> xs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
                case "max" -> xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                case "avg" -> xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
                default -> (double) xs.size();
            }));
            return Value.vector(out);
        }

        @Override
        public void names(Set<String> names) {
            inner.names(names);
        }
    }

    private record Literal(double value) implements Expr {
        @Override
        public Value eval(At at) {
            return Value.scalar(value);
        }

        @Override
        public void names(Set<String> names) {
        }
    }

    private record Binary(String op, Expr left, Expr right) implements Expr {
        private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");

        @Override
        public Value eval(At at) {
            Value l = left.eval(at);
            Value r = right.eval(at);
            if (op.equals("and") || op.equals("or") || op.equals("unless")) {
                return setOperation(l, r);
            }
            DoubleBinaryOperator f = operator();
            boolean comparison = COMPARISONS.contains(op);
            if (l.vector == null && r.vector == null) {
                return Value.scalar(f.applyAsDouble(l.scalar, r.scalar));
            }
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            if (l.vector != null && r.vector != null) {
                Map<Map<String, String>, Double> right = withoutNames(r.vector);
                l.vector.forEach((labels, x) -> {
                    Map<String, String> key = withoutName(labels);
                    Double y = right.get(key);
                    if (y != null) {
                        put(out, comparison ? labels : key, x, f.applyAsDouble(x, y), comparison);
                    }
                });
            } else {
                boolean vectorLeft = l.vector != null;
                Map<Map<String, String>, Double> v = vectorLeft ? l.vector : r.vector;
                double s = vectorLeft ? r.scalar : l.scalar;
                v.forEach((labels, x) -> put(out, comparison ? labels : withoutName(labels), x,
                    vectorLeft ? f.applyAsDouble(x, s) : f.applyAsDouble(s, x), comparison));
            }
            return Value.vector(out);
        }

        private static void put(Map<Map<String, String>, Double> out, Map<String, String> labels, double x,
                                double result, boolean comparison) {
            if (!comparison) {
                out.put(labels, result);
            } else if (result != 0) {
                out.put(labels, x);
            }
        }

        private Value setOperation(Value l, Value r) {
            if (l.vector == null || r.vector == null) {
                throw new IllegalArgumentException(op + " needs two vectors");
            }
            Set<Map<String, String>> rightKeys = withoutNames(r.vector).keySet();
            Map<Map<String, String>, Double> out = new LinkedHashMap<>();
            l.vector.forEach((labels, x) -> {
                boolean inRight = rightKeys.contains(withoutName(labels));
                if (op.equals("or") || (op.equals("and") == inRight)) {
                    out.put(labels, x);
                }
            });
            if (op.equals("or")) {
                Set<Map<String, String>> leftKeys = withoutNames(l.vector).keySet();
                r.vector.forEach((labels, x) -> {
                    if (!leftKeys.contains(withoutName(labels))) {
                        out.put(labels, x);
                    }
                });
            }
            return Value.vector(out);
        }

        private DoubleBinaryOperator operator() {
            return switch (op) {
                case "+" -> Double::sum;
                case "-" -> (a, b) -> a - b;
                case "*" -> (a, b) -> a * b;
                case "/" -> (a, b) -> a / b;
                case "==" -> (a, b) -> a == b ? 1 : 0;
                case "!=" -> (a, b) -> a != b ? 1 : 0;
                case "<" -> (a, b) -> a < b ? 1 : 0;
                case "<=" -> (a, b) -> a <= b ? 1 : 0;
                case ">" -> (a, b) -> a > b ? 1 : 0;
                default -> (a, b) -> a >= b ? 1 : 0;
            };
        }

        @Override
        public void names(Set<String> names) {
            left.names(names);
            right.names(names);
        }
    }

    private static Map<String, String> withoutName(Map<String, String> labels) {
        if (!labels.containsKey("__name__")) {
            return labels;
        }
        Map<String, String> copy = new TreeMap<>(labels);
        copy.remove("__name__");
        return copy;
    }

    private static Map<Map<String, String>, Double> withoutNames(Map<Map<String, String>, Double> v) {
        Map<Map<String, String>, Double> out = new HashMap<>();
        v.forEach((l, x) -> out.put(withoutName(l), x));
        return out;
    }

    // ---- the parser: precedence as PromQL's, lowest first: or; and unless; comparisons; + -; * /

    private static final class Parser {
        private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "count");
        private static final Set<String> RANGE_FUNCTIONS = Set.of("rate", "increase");

        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Expr or() {
            Expr e = andUnless();
            while (keyword("or")) {
                e = new Binary("or", e, andUnless());
            }
            return e;
        }

        private Expr andUnless() {
            Expr e = comparison();
            while (true) {
                if (keyword("and")) {
                    e = new Binary("and", e, comparison());
                } else if (keyword("unless")) {
                    e = new Binary("unless", e, comparison());
                } else {
                    return e;
                }
            }
        }

        private Expr comparison() {
            Expr e = additive();
            while (true) {
                String op = symbol("==", "!=", "<=", ">=", "<", ">");
                if (op == null) {
                    return e;
                }
                e = new Binary(op, e, additive());
            }
        }

        private Expr additive() {
            Expr e = multiplicative();
            while (true) {
                String op = symbol("+", "-");
                if (op == null) {
                    return e;
                }
                e = new Binary(op, e, multiplicative());
            }
        }

        private Expr multiplicative() {
            Expr e = primary();
            while (true) {
                String op = symbol("*", "/");
                if (op == null) {
                    return e;
                }
                e = new Binary(op, e, primary());
            }
        }

        private Expr primary() {
            blank();
            if (i >= s.length()) {
                throw error("expression ends early");
            }
            char c = s.charAt(i);
            if (c == '(') {
                i++;
                Expr e = or();
                expect(')');
                return e;
            }
            if (Character.isDigit(c) || c == '.') {
                int start = i;
                while (i < s.length() && (Character.isDigit(s.charAt(i)) || ".eE".indexOf(s.charAt(i)) >= 0)) {
                    i++;
                }
                return new Literal(Double.parseDouble(s.substring(start, i)));
            }
            String name = identifier();
            if (AGGREGATIONS.contains(name)) {
                return aggregation(name);
            }
            if (RANGE_FUNCTIONS.contains(name)) {
                expect('(');
                Selector selector = selector(identifier());
                expect('[');
                long range = duration();
                expect(']');
                expect(')');
                return new RangeFunction(name, selector, range);
            }
            blank();
            if (i < s.length() && s.charAt(i) == '(') {
                throw error("unsupported function " + name);
            }
            return selector(name);
        }

        private Expr aggregation(String op) {
            boolean without = false;
            List<String> labels = List.of();
            if (keyword("by") || (without = keyword("without"))) {
                labels = labelList();
            }
            expect('(');
            Expr inner = or();
            expect(')');
            if (labels.isEmpty() && (keyword("by") || (without = keyword("without")))) {
                labels = labelList();
            }
            return new Aggregation(op, without, labels, inner);
        }

        private List<String> labelList() {
            expect('(');
            List<String> labels = new ArrayList<>();
            blank();
            while (s.charAt(i) != ')') {
                labels.add(identifier());
                blank();
                if (s.charAt(i) == ',') {
                    i++;
                }
                blank();
            }
            i++;
            return labels;
        }

        private Selector selector(String name) {
            List<Matcher> matchers = new ArrayList<>();
            blank();
            if (i < s.length() && s.charAt(i) == '{') {
                i++;
                blank();
                while (s.charAt(i) != '}') {
                    String label = identifier();
                    String op = symbol("=~", "!~", "!=", "=");
                    if (op == null) {
                        throw error("expected a matcher");
                    }
                    String value = string();
                    matchers.add(new Matcher(label, op, value, op.contains("~") ? Pattern.compile(value) : null));
                    blank();
                    if (s.charAt(i) == ',') {
                        i++;
                    }
                    blank();
                }
                i++;
            }
            return new Selector(name, matchers);
        }

        private long duration() {
            blank();
            if (s.startsWith("$__rate_interval", i)) {
                i += "$__rate_interval".length();
                return -1;
            }
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (start == i || i >= s.length()) {
                throw error("expected a duration");
            }
            long n = Long.parseLong(s.substring(start, i));
            char unit = s.charAt(i++);
            return switch (unit) {
                case 's' -> n * 1000;
                case 'm' -> n * 60_000;
                case 'h' -> n * 3_600_000;
                case 'd' -> n * 86_400_000;
                default -> throw error("unknown duration unit " + unit);
            };
        }

        private String string() {
            blank();
            char quote = s.charAt(i);
            if (quote != '"' && quote != '\'') {
                throw error("expected a string");
            }
            StringBuilder out = new StringBuilder();
            for (i++; s.charAt(i) != quote; i++) {
                char c = s.charAt(i);
                if (c == '\\') {
                    c = s.charAt(++i);
                }
                out.append(c);
            }
            i++;
            return out.toString();
        }

        private String identifier() {
            blank();
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_'
                || s.charAt(i) == ':')) {
                i++;
            }
            if (start == i) {
                throw error("expected a name");
            }
            return s.substring(start, i);
        }

        private boolean keyword(String word) {
            blank();
            int end = i + word.length();
            if (s.regionMatches(true, i, word, 0, word.length())
                && (end == s.length() || !(Character.isLetterOrDigit(s.charAt(end)) || s.charAt(end) == '_'))) {
                i = end;
                return true;
            }
            return false;
        }

        private String symbol(String... options) {
            blank();
            for (String o : options) {
                if (s.startsWith(o, i)) {
                    i += o.length();
                    return o;
                }
            }
            return null;
        }

        private void expect(char c) {
            blank();
            if (i >= s.length() || s.charAt(i) != c) {
                throw error("expected " + c);
            }
            i++;
        }

        void blank() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        IllegalArgumentException error(String why) {
            return new IllegalArgumentException(String.format(Locale.ROOT, "%s at %d of: %s", why, i, s));
        }
    }
}
