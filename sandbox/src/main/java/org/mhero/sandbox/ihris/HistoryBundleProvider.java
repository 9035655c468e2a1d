package org.mhero.sandbox.ihris;

import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntryTransactionMethodEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Resource;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * A type history ({@code GET Practitioner/_history?_since=…}), newest first like HAPI JPA: overlay versions (updates,
 * creates, deletes) then the generated version 1s, lazily, by decreasing index. Deletes carry
 * {@code request.method = DELETE} and no resource.
 */
final class HistoryBundleProvider implements IBundleProvider {
    private final ResourceTable table;
    private final List<ResourceTable.Version> overlay;
    private final int baseLo;
    private final int baseHi;
    private final InstantType published = InstantType.withCurrentTime();
    private final String uuid = UUID.randomUUID().toString();

    private final java.util.function.Supplier<Resource> empty;

    private final int offset;

    /**
     * History pages use HAPI's offset paging ({@code _offset} links): positions asked by HAPI are relative to
     * {@code offset}.
     */
    HistoryBundleProvider(ResourceTable table, long since, long until, int offset, java.util.function.Supplier<Resource> empty) {
        this.table = table;
        this.offset = Math.max(0, offset);
        this.empty = empty;
        this.overlay = table.overlayVersions(since, until);
        int lo = since <= table.t0 ? 0 : (int) Math.min(table.baseSize, -Math.floorDiv(-(since - table.t0), table.step));
        int hi = until < table.t0 ? 0 : (int) Math.min(table.baseSize, Math.floorDiv(until - table.t0, table.step) + 1);
        this.baseLo = lo;
        this.baseHi = Math.max(lo, hi);
    }

    @Override
    public List<IBaseResource> getResources(int from, int to) {
        long cap = Math.min((long) to - from, MAX_HISTORY_PAGE);
        from += offset;
        to = (int) Math.min(from + cap, total());
        List<IBaseResource> out = new ArrayList<>();
        for (int p = from; p < to; p++) {
            Resource r;
            BundleEntryTransactionMethodEnum method;
            if (p < overlay.size()) {
                ResourceTable.Version v = overlay.get(p);
                if (v.deleted()) {
                    r = empty.get();
                    IhrisGenerator.meta(r, table.type, v.id(), v.version(), v.time());
                    ResourceMetadataKeyEnum.DELETED_AT.put(r, IhrisGenerator.instant(v.time()));
                    method = BundleEntryTransactionMethodEnum.DELETE;
                } else {
                    r = table.readVersion(v.id(), v.version());
                    if (r == null) continue;
                    method = v.version() == 1 ? BundleEntryTransactionMethodEnum.POST : BundleEntryTransactionMethodEnum.PUT;
                }
            } else {
                int i = baseHi - 1 - (p - overlay.size());
                r = table.generate(i);
                method = BundleEntryTransactionMethodEnum.POST;
            }
            ResourceMetadataKeyEnum.ENTRY_TRANSACTION_METHOD.put(r, method);
            out.add(r);
        }
        return out;
    }

    @Override public IPrimitiveType<Date> getPublished() { return published; }
    @Override public String getUuid() { return uuid; }
    @Override public Integer preferredPageSize() { return null; }
    static final int MAX_HISTORY_PAGE = 10_000;

    private int total() { return overlay.size() + (baseHi - baseLo); }

    @Override public Integer size() { return total(); }
}
