package org.mhero.sandbox.ihris;

import org.hl7.fhir.r4.model.Resource;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;

/**
 * One resource type: a lazy generated base (index {@code 0..baseSize-1}, version 1, lastUpdated {@code t0 + i*step})
 * with a sparse overlay of written versions on top. Writes are made by {@link IhrisStore} under its lock; reads are
 * lock-free. Stored resources are never handed out: every read returns a copy.
 */
final class ResourceTable {
    static final class Entry {
        final String id;
        final int baseIndex;              // -1 when not a generated resource
        final List<Resource> versions;    // versions[v-1] is version v (version 1 of a generated one is regenerated)
        final List<Long> times = new ArrayList<>();       // lastUpdated of each version
        final List<Boolean> deletes = new ArrayList<>();  // whether each version is a deletion
        volatile Resource current;
        volatile long version;
        volatile long time;
        volatile boolean deleted;

        Entry(String id, int baseIndex) {
            this.id = id;
            this.baseIndex = baseIndex;
            this.versions = new ArrayList<>();
        }
    }

    final String type;
    final int baseSize;
    final long t0;
    final long step;
    private final IntFunction<String> idOf;
    private final ToIntFunction<String> indexOf;
    private final IntFunction<Resource> generator;

    final ConcurrentHashMap<String, Entry> overlay = new ConcurrentHashMap<>();
    /** Generated indexes shadowed by the overlay. */
    final ConcurrentSkipListSet<Integer> touchedBase = new ConcurrentSkipListSet<>();
    /** Generated resources whose meta was changed in place ($meta-add/-delete: no new version, no new lastUpdated). */
    final ConcurrentHashMap<Integer, Resource> baseOverride = new ConcurrentHashMap<>();
    /** Overlay entries by lastUpdated (the store clock is strictly monotonic, so keys are unique). */
    final ConcurrentSkipListMap<Long, String> byTime = new ConcurrentSkipListMap<>();

    ResourceTable(String type, int baseSize, long t0, long step, IntFunction<String> idOf, ToIntFunction<String> indexOf,
                  IntFunction<Resource> generator) {
        this.type = type;
        this.baseSize = baseSize;
        this.t0 = t0;
        this.step = step;
        this.idOf = idOf;
        this.indexOf = indexOf;
        this.generator = generator;
    }

    String idOf(int i) { return idOf.apply(i); }

    int indexOf(String id) {
        int i = indexOf.applyAsInt(id);
        return i >= 0 && i < baseSize ? i : -1;
    }

    long baseTime(int i) { return t0 + i * step; }

    Resource generate(int i) { return generator.apply(i); }

    /** The untouched generated resource, with any in-place meta change (not a copy: do not modify). */
    Resource baseCurrent(int i) {
        if (!baseOverride.isEmpty()) {
            Resource r = baseOverride.get(i);
            if (r != null) return r;
        }
        return generate(i);
    }

    /** Current version of a generated index (overlay first), or null when deleted. */
    Resource readIndex(int i) {
        if (!touchedBase.isEmpty() && touchedBase.contains(i)) {
            Entry e = overlay.get(idOf(i));
            if (e != null) return e.deleted ? null : e.current.copy();
        }
        return baseOverride.isEmpty() ? generate(i) : copyOrSelf(baseCurrent(i), i);
    }

    private Resource copyOrSelf(Resource r, int i) {
        return baseOverride.containsKey(i) ? r.copy() : r;
    }

    /** Current version, or null when absent or deleted. */
    Resource read(String id) {
        Entry e = overlay.get(id);
        if (e != null) return e.deleted ? null : e.current.copy();
        int i = indexOf(id);
        return i >= 0 ? copyOrSelf(baseCurrent(i), i) : null;
    }

    /** A given version, or null. */
    Resource readVersion(String id, long version) {
        Entry e = overlay.get(id);
        if (e == null) {
            int i = indexOf(id);
            return i >= 0 && version == 1 ? read(id) : null;
        }
        synchronized (e) {
            if (version < 1 || version > e.versions.size()) return null;
            Resource r = e.versions.get((int) version - 1);
            if (r == null) r = e.baseIndex >= 0 && version == 1 ? generate(e.baseIndex) : null;
            return r == null ? null : r.copy();
        }
    }

    /** Current version number; 0 when absent (or deleted). */
    long version(String id) {
        Entry e = overlay.get(id);
        if (e != null) return e.deleted ? 0 : e.version;
        return indexOf(id) >= 0 ? 1 : 0;
    }

    boolean exists(String id) { return version(id) > 0; }

    /** Highest version number ever used (deleted ones included); 0 when never seen. */
    long lastVersion(String id) {
        Entry e = overlay.get(id);
        if (e != null) return e.version;
        return indexOf(id) >= 0 ? 1 : 0;
    }

    /** Stores a new version (the caller holds the store lock). Sets id, versionId and lastUpdated; returns a copy. */
    Resource put(String id, Resource r, long time) {
        Entry e = overlay.get(id);
        if (e == null) {
            int base = indexOf(id);
            e = new Entry(id, base);
            if (base >= 0) {
                Resource v1 = baseOverride.remove(base);
                e.versions.add(v1); // version 1 = the generated one (null: regenerate)
                e.times.add(baseTime(base));
                e.deletes.add(false);
                e.version = 1;
                e.time = baseTime(base);
            }
            overlay.put(id, e);
            if (base >= 0) touchedBase.add(base);
        } else {
            byTime.remove(e.time, id);
        }
        long v = e.version + 1;
        Resource stored = r.copy();
        IhrisGenerator.meta(stored, type, id, v, time);
        synchronized (e) {
            e.versions.add(stored);
            e.times.add(time);
            e.deletes.add(false);
            e.current = stored;
            e.version = v;
            e.time = time;
            e.deleted = false;
        }
        byTime.put(time, id);
        return stored.copy();
    }

    /** Replaces the current version's content without a new version or lastUpdated (caller holds the store lock). */
    void replaceInPlace(String id, Resource r) {
        Entry e = overlay.get(id);
        if (e == null) {
            int i = indexOf(id);
            if (i < 0) return;
            Resource stored = r.copy();
            IhrisGenerator.meta(stored, type, id, 1, baseTime(i));
            baseOverride.put(i, stored);
            return;
        }
        synchronized (e) {
            Resource stored = r.copy();
            IhrisGenerator.meta(stored, type, id, e.version, e.time);
            e.versions.set(e.versions.size() - 1, stored);
            e.current = stored;
        }
    }

    /** Marks deleted with a new version (caller holds the store lock). */
    void delete(String id, long time) {
        Entry e = overlay.get(id);
        if (e == null) {
            int base = indexOf(id);
            if (base < 0) return;
            e = new Entry(id, base);
            e.versions.add(baseOverride.remove(base));
            e.times.add(baseTime(base));
            e.deletes.add(false);
            e.version = 1;
            e.time = baseTime(base);
            e.current = generate(base);
            overlay.put(id, e);
            touchedBase.add(base);
        } else {
            if (e.deleted) return;
            byTime.remove(e.time, id);
        }
        synchronized (e) {
            e.version = e.version + 1;
            e.versions.add(null);
            e.times.add(time);
            e.deletes.add(true);
            e.time = time;
            e.deleted = true;
        }
        byTime.put(time, id);
    }

    /** One entry of a type history: (id, version, time, deleted). */
    record Version(String id, long version, long time, boolean deleted) {}

    /** Overlay versions (not the generated version 1s) with time in [since, until], newest first. */
    List<Version> overlayVersions(long since, long until) {
        List<Version> out = new ArrayList<>();
        for (Entry e : overlay.values()) {
            synchronized (e) {
                for (int k = e.baseIndex >= 0 ? 1 : 0; k < e.times.size(); k++) {
                    long t = e.times.get(k);
                    if (t >= since && t <= until) out.add(new Version(e.id, k + 1, t, e.deletes.get(k)));
                }
            }
        }
        out.sort((a, b) -> Long.compare(b.time(), a.time()));
        return out;
    }

    long lastUpdated(String id) {
        Entry e = overlay.get(id);
        if (e != null) return e.time;
        int i = indexOf(id);
        return i >= 0 ? baseTime(i) : Long.MIN_VALUE;
    }

    /** Largest lastUpdated over the live resources; null when empty. */
    Long maxLastUpdated() {
        long max = Long.MIN_VALUE;
        NavigableMap<Long, String> desc = byTime.descendingMap();
        for (var en : desc.entrySet()) {
            Entry e = overlay.get(en.getValue());
            if (e != null && !e.deleted) { max = en.getKey(); break; }
        }
        if (max != Long.MIN_VALUE) return max;
        for (int i = baseSize - 1; i >= 0; i--) {
            if (!touchedBase.contains(i)) return baseTime(i);
        }
        return null;
    }

    /** Number of live resources. */
    int count() {
        int c = baseSize;
        for (Entry e : overlay.values()) {
            if (e.baseIndex < 0 && !e.deleted) c++;
            if (e.baseIndex >= 0 && e.deleted) c--;
        }
        return c;
    }
}
