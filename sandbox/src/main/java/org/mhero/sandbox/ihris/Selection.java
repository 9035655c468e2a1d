package org.mhero.sandbox.ihris;

import org.hl7.fhir.r4.model.Resource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * The frozen result of a search: which resources match, in which order. Untouched generated resources come first in
 * index order (= lastUpdated order), then overlay resources in lastUpdated order; {@code desc} reverses the whole.
 * An unfiltered search is a range minus the touched indexes and costs nothing to build; a filtered one scans the
 * cheap prefilter first and only generates the candidates. Resources themselves are read when a page is served.
 */
final class Selection {
    /** A search predicate: {@code prefilter} is a cheap necessary condition on generated indexes (may be null). */
    record Criteria(IntPredicate prefilter, Predicate<Resource> test) {
        static final Criteria ALL = new Criteria(null, null);

        boolean isAll() { return prefilter == null && test == null; }

        Criteria and(IntPredicate pf, Predicate<Resource> t) {
            IntPredicate p2 = prefilter == null ? pf : pf == null ? prefilter : prefilter.and(pf);
            Predicate<Resource> t2 = test == null ? t : t == null ? test : test.and(t);
            return new Criteria(p2, t2);
        }

        boolean matchesBase(ResourceTable table, int i) {
            if (!table.baseOverride.isEmpty()) {
                Resource r = table.baseOverride.get(i);
                if (r != null) return test == null || test.test(r);
            }
            if (prefilter != null && !prefilter.test(i)) return false;
            return test == null || test.test(table.generate(i));
        }

        boolean matches(Resource r) { return test == null || test.test(r); }
    }

    private static final int[] NONE = new int[0];

    final ResourceTable table;
    private final int lo;
    private final int[] excl;      // sorted touched indexes inside [lo, hi)
    private final int[] baseList;  // explicit generated indexes (filtered search), or null for the lazy range
    private final String[] extra;  // overlay (or explicitly listed) ids, in ascending lastUpdated order
    private final boolean desc;
    private final int baseCount;
    final int size;

    private Selection(ResourceTable table, int lo, int[] excl, int[] baseList, int baseCount, String[] extra, boolean desc) {
        this.table = table;
        this.lo = lo;
        this.excl = excl;
        this.baseList = baseList;
        this.baseCount = baseCount;
        this.extra = extra;
        this.desc = desc;
        this.size = baseCount + extra.length;
    }

    /** All resources with lastUpdated in [lower, upper] (inclusive millis, null = open) matching {@code c}. */
    static Selection of(ResourceTable t, Long lower, Long upper, Criteria c, boolean desc) {
        int lo = 0, hi = t.baseSize;
        if (lower != null && lower > t.t0) lo = (int) Math.min(t.baseSize, ceilDiv(lower - t.t0, t.step));
        if (upper != null) {
            if (upper < t.t0) hi = 0;
            else hi = (int) Math.min(t.baseSize, Math.floorDiv(upper - t.t0, t.step) + 1);
        }
        if (hi < lo) hi = lo;
        int[] excl = hi > lo ? toArray(t.touchedBase.subSet(lo, true, hi, false)) : NONE;
        int[] baseList = null;
        int baseCount = (hi - lo) - excl.length;
        if (!c.isAll() && hi > lo) {
            int[] buf = new int[Math.min(1024, hi - lo)];
            int m = 0, k = 0;
            for (int i = lo; i < hi; i++) {
                if (k < excl.length && excl[k] == i) { k++; continue; }
                if (c.matchesBase(t, i)) {
                    if (m == buf.length) buf = Arrays.copyOf(buf, buf.length * 2);
                    buf[m++] = i;
                }
            }
            baseList = Arrays.copyOf(buf, m);
            baseCount = m;
        }
        List<String> ids = new ArrayList<>();
        var sub = t.byTime.subMap(lower == null ? Long.MIN_VALUE : lower, true, upper == null ? Long.MAX_VALUE : upper, true);
        for (String id : sub.values()) {
            ResourceTable.Entry e = t.overlay.get(id);
            if (e == null || e.deleted) continue;
            if (!c.isAll() && !c.matches(e.current)) continue;
            ids.add(id);
        }
        return new Selection(t, lo, excl, baseList, baseCount, ids.toArray(new String[0]), desc);
    }

    /** The listed ids that exist, match and fall in [lower, upper], ordered by lastUpdated. */
    static Selection ofIds(ResourceTable t, Collection<String> ids, Long lower, Long upper, Criteria c, boolean desc) {
        List<String> keep = new ArrayList<>();
        for (String id : new LinkedHashSet<>(ids)) {
            Resource r = t.read(id);
            if (r == null) continue;
            long lu = t.lastUpdated(id);
            if (lower != null && lu < lower) continue;
            if (upper != null && lu > upper) continue;
            if (!c.matches(r)) continue;
            keep.add(id);
        }
        keep.sort(Comparator.comparingLong(t::lastUpdated));
        return new Selection(t, 0, NONE, NONE, 0, keep.toArray(new String[0]), desc);
    }

    /** Resources at positions [from, to) (fewer when some were deleted since the search). */
    List<Resource> fetch(int from, int to) {
        to = Math.min(to, size);
        List<Resource> out = new ArrayList<>(Math.max(0, to - from));
        if (from >= to) return out;
        if (desc) {
            for (int p = from; p < to; p++) add(out, size - 1 - p);
            return out;
        }
        int p = from;
        if (p < baseCount) {
            int end = Math.min(to, baseCount);
            if (baseList != null) {
                for (; p < end; p++) addIndex(out, baseList[p]);
            } else {
                int k = firstK(p);
                int i = lo + p + k;
                for (; p < end; p++) {
                    while (k < excl.length && excl[k] == i) { k++; i++; }
                    addIndex(out, i);
                    i++;
                }
            }
        }
        for (; p < to; p++) addExtra(out, p - baseCount);
        return out;
    }

    private void add(List<Resource> out, int q) {
        if (q < baseCount) addIndex(out, baseList != null ? baseList[q] : lo + q + firstK(q));
        else addExtra(out, q - baseCount);
    }

    private void addIndex(List<Resource> out, int i) {
        Resource r = table.readIndex(i);
        if (r != null) out.add(r);
    }

    private void addExtra(List<Resource> out, int k) {
        Resource r = table.read(extra[k]);
        if (r != null) out.add(r);
    }

    /** Number of excluded indexes before the p-th kept one: the first k with excl[k] - k > lo + p. */
    private int firstK(int p) {
        int a = 0, b = excl.length;
        long target = (long) lo + p;
        while (a < b) {
            int mid = (a + b) >>> 1;
            if (excl[mid] - mid > target) b = mid; else a = mid + 1;
        }
        return a;
    }

    private static long ceilDiv(long x, long y) { return -Math.floorDiv(-x, y); }

    private static int[] toArray(Collection<Integer> c) {
        int[] a = new int[c.size()];
        int k = 0;
        for (Integer v : c) { if (k == a.length) break; a[k++] = v; }
        return k == a.length ? a : Arrays.copyOf(a, k);
    }
}
