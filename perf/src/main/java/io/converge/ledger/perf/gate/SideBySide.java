package io.converge.ledger.perf.gate;

import java.util.Arrays;
import java.util.function.LongToDoubleFunction;

/**
 * Measures a subject against its limit in alternating pairs (limit then subject, subject
 * then limit, ...), so that a drift of the machine's speed during the run touches both
 * alike, and summarises by medians. Rates are per second; the ratio is subject / limit,
 * the median of the pairs' ratios.
 *
 * @param subjectRate median rate of the subject
 * @param limitRate   median rate of the limit
 * @param ratio       median of the pairs' subject/limit ratios
 * @param ratios      every pair's ratio, in the order measured
 */
record SideBySide(double subjectRate, double limitRate, double ratio, double[] ratios) {

    /**
     * Warms each up for {@code warmupNanos}, then measures {@code pairs} pairs of
     * {@code trialNanos} each.
     */
    static SideBySide measure(LongToDoubleFunction subject, LongToDoubleFunction limit, int pairs,
                              long warmupNanos, long trialNanos) {
        limit.applyAsDouble(warmupNanos);
        subject.applyAsDouble(warmupNanos);
        double[] subjects = new double[pairs];
        double[] limits = new double[pairs];
        double[] ratios = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            if (i % 2 == 0) {
                limits[i] = limit.applyAsDouble(trialNanos);
                subjects[i] = subject.applyAsDouble(trialNanos);
            } else {
                subjects[i] = subject.applyAsDouble(trialNanos);
                limits[i] = limit.applyAsDouble(trialNanos);
            }
            ratios[i] = subjects[i] / limits[i];
        }
        return new SideBySide(median(subjects), median(limits), median(ratios), ratios);
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
