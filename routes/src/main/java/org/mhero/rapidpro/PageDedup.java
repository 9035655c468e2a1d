package org.mhero.rapidpro;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Dedupes a forward walk ({@code reverse=true}, oldest first) from a watermark over an endpoint whose {@code after}
 * is inclusive (contract rapidpro.md §4): the items at exactly the watermark were already seen last time and come
 * back. It remembers the watermark (the latest {@code modified_on} seen) and the uuids seen at that instant; an item
 * is new unless it is older than the watermark, or at the watermark with a uuid already seen there. A contact modified
 * again has a later {@code modified_on} and is new. Persist {@link #watermark()} and {@link #boundaryIds()} together to
 * resume a later run with {@link #resume(Instant, Collection)}. Not thread-safe: one per walk.
 */
public final class PageDedup {
    private Instant watermark;
    private final Set<String> boundary = new LinkedHashSet<>();

    private PageDedup(Instant watermark, Collection<String> boundaryIds) {
        this.watermark = watermark;
        if (boundaryIds != null) boundary.addAll(boundaryIds);
    }

    /** A walk from the beginning. */
    public static PageDedup fresh() { return new PageDedup(null, List.of()); }

    /** A walk from a stored watermark and the ids seen at it (empty when unknown: then those items are repeated once). */
    public static PageDedup resume(Instant watermark, Collection<String> boundaryIds) {
        return new PageDedup(watermark, boundaryIds);
    }

    /** The new contacts of a page, in page order; advances the watermark. */
    public List<RapidProContact> filter(List<RapidProContact> page) {
        return filter(page, RapidProContact::uuid, RapidProContact::modifiedOn);
    }

    /** The new items of a page (runs, messages, …), in page order; advances the watermark. */
    public <T> List<T> filter(List<T> page, Function<T, String> id, Function<T, Instant> modifiedOn) {
        List<T> out = new ArrayList<>(page.size());
        for (T item : page) {
            String uuid = Objects.requireNonNull(id.apply(item), "item without id");
            Instant t = Objects.requireNonNull(modifiedOn.apply(item), "item without modified_on");
            if (watermark != null) {
                int c = t.compareTo(watermark);
                if (c < 0) continue;
                if (c == 0 && !boundary.add(uuid)) continue;
                if (c > 0) advance(t, uuid);
            } else {
                advance(t, uuid);
            }
            out.add(item);
        }
        return out;
    }

    private void advance(Instant t, String uuid) {
        watermark = t;
        boundary.clear();
        boundary.add(uuid);
    }

    /** The latest {@code modified_on} seen: the next walk's {@code after}. Null before any item. */
    public Instant watermark() { return watermark; }

    /** The ids seen at exactly {@link #watermark()}. */
    public Set<String> boundaryIds() { return Set.copyOf(boundary); }
}
