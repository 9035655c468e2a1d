package org.mhero.merge;

import org.mhero.ihris.HealthWorkerRecord;

import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Decides whether a source record not seen before is a health worker we already know (from another registry),
 * deterministically: identifiers first (national id, then employee number), then a normalised phone number plus name
 * similarity above the configured threshold. Candidates are only workers without a record from the same registry:
 * two ids in one registry are two people. Conflicting or ambiguous evidence never merges; it asks for review.
 */
public final class Matcher {
    /** The decision, with the rule and score stored as the merge reason. */
    public record Decision(Long workerId, String rule, double score, String detail, String reviewReason) {
        public static Decision newWorker(String reviewReason) { return new Decision(null, "new", 0, null, reviewReason); }
    }

    private final double nameThreshold;

    public Matcher(double nameThreshold) { this.nameThreshold = nameThreshold; }

    public Decision decide(HealthWorkerRecord r, List<Candidate> candidates) {
        Long byNational = unique(candidates, c -> r.nationalId() != null && r.nationalId().equalsIgnoreCase(c.nationalId()));
        Long byEmployee = unique(candidates, c -> r.employeeNumber() != null && r.employeeNumber().equalsIgnoreCase(c.employeeNumber()));
        if (byNational != null && byNational < 0 || byEmployee != null && byEmployee < 0) {
            return Decision.newWorker("an identifier of this record is held by several health workers");
        }
        if (byNational != null && byEmployee != null && !byNational.equals(byEmployee)) {
            return Decision.newWorker("national id and employee number point to different health workers");
        }
        if (byNational != null) return new Decision(byNational, "national_id", 1, null, null);
        if (byEmployee != null) return new Decision(byEmployee, "employee_number", 1, null, null);

        // phone + name: the best name among workers holding one of this record's numbers
        TreeMap<Long, Double> best = new TreeMap<>();
        for (Candidate c : candidates) {
            if (c.e164() == null || r.phones().stream().noneMatch(p -> c.e164().equals(p.e164()))) continue;
            double s = NameSimilarity.of(r.displayName(), c.displayName());
            best.merge(c.workerId(), s, Math::max);
        }
        Long winner = null;
        double top = -1;
        boolean tie = false;
        for (var e : best.entrySet()) {
            if (e.getValue() > top + 1e-9) { winner = e.getKey(); top = e.getValue(); tie = false; }
            else if (Math.abs(e.getValue() - top) <= 1e-9) tie = true;
        }
        if (winner == null) return Decision.newWorker(null);
        if (top < nameThreshold) {
            // same number, different person: keep both, flag nothing here (the number is marked shared)
            return Decision.newWorker(null);
        }
        if (tie) return Decision.newWorker("phone and name match several health workers equally");
        return new Decision(winner, "phone_and_name", top, String.format("name similarity %.2f", top), null);
    }

    /** The one worker matching, null if none, -1 if several. */
    private static Long unique(List<Candidate> cs, java.util.function.Predicate<Candidate> p) {
        Long found = null;
        for (Candidate c : cs) {
            if (!p.test(c)) continue;
            if (found != null && !Objects.equals(found, c.workerId())) return -1L;
            found = c.workerId();
        }
        return found;
    }
}
