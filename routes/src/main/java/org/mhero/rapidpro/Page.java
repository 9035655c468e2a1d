package org.mhero.rapidpro;

import java.util.List;

/** One cursor page: the items and the absolute {@code next} URL (null on the last page). */
public record Page<T>(List<T> results, String next) {
    public Page {
        results = List.copyOf(results);
    }

    public boolean hasNext() { return next != null; }
}
