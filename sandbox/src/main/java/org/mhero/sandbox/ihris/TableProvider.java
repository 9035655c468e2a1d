package org.mhero.sandbox.ihris;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.i18n.Msg;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.annotation.Patch;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.param.DateRangeParam;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.instance.model.api.IBaseMetaType;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Read / vread, update (PUT, create-on-PUT, If-Match → 409 HAPI-0989), create, JSON Patch, delete and the
 * $meta / $meta-add / $meta-delete operations over one {@link ResourceTable}. Subclasses add the search.
 */
abstract class TableProvider implements IResourceProvider {
    private static final AtomicLong SERVER_IDS = new AtomicLong(10_000_000);

    final IhrisStore store;
    final FhirContext ctx;
    final ResourceTable table;
    private final Class<? extends Resource> type;

    TableProvider(IhrisStore store, FhirContext ctx, String typeName, Class<? extends Resource> type) {
        this.store = store;
        this.ctx = ctx;
        this.table = store.table(typeName);
        this.type = type;
    }

    @Override
    public Class<? extends IBaseResource> getResourceType() { return type; }

    // ------------------------------------------------------------------ search plumbing for subclasses

    IBundleProvider search(Set<String> ids, DateRangeParam lastUpdated, Selection.Criteria c, boolean desc,
                           Function<List<Resource>, List<Resource>> includer, RequestDetails rd) {
        Params.rejectOffset(rd);
        Long lo = Params.lower(lastUpdated), hi = Params.upper(lastUpdated);
        Selection sel = store.snapshot(() -> ids != null
                ? Selection.ofIds(table, ids, lo, hi, c, desc)
                : Selection.of(table, lo, hi, c, desc));
        return new LazyBundleProvider(sel, includer);
    }

    /** Reads "Type/id" references (deduplicated, missing ones skipped). */
    List<Resource> resolve(Collection<String> refs) {
        List<Resource> out = new ArrayList<>();
        for (String ref : refs) {
            if (ref == null) continue;
            int slash = ref.indexOf('/');
            if (slash < 0) continue;
            Resource r = store.read(ref.substring(0, slash), ref.substring(slash + 1));
            if (r != null) out.add(r);
        }
        return out;
    }

    // ------------------------------------------------------------------ type history (deletions, changes)

    @ca.uhn.fhir.rest.annotation.History
    public IBundleProvider history(@ca.uhn.fhir.rest.annotation.Since org.hl7.fhir.r4.model.InstantType since,
                                   @ca.uhn.fhir.rest.annotation.At DateRangeParam at,
                                   @ca.uhn.fhir.rest.annotation.Offset Integer offset, RequestDetails rd) {
        long lo = since != null && since.getValue() != null ? since.getValue().getTime() : Long.MIN_VALUE;
        long hi = Long.MAX_VALUE;
        Long atLo = Params.lower(at), atHi = Params.upper(at);
        if (atLo != null) lo = Math.max(lo, atLo);
        if (atHi != null) hi = atHi;
        long flo = lo, fhi = hi;
        return store.history(() -> new HistoryBundleProvider(table, flo, fhi, offset == null ? 0 : offset,
                () -> (Resource) ctx.getResourceDefinition(table.type).newInstance()));
    }

    // ------------------------------------------------------------------ read

    @Read(version = true)
    public IBaseResource read(@IdParam IdType id) {
        String idPart = id.getIdPart();
        Resource r;
        if (id.hasVersionIdPart()) {
            long v;
            try {
                v = Long.parseLong(id.getVersionIdPart());
            } catch (NumberFormatException e) {
                throw new ResourceNotFoundException(id);
            }
            r = table.readVersion(idPart, v);
            if (r == null && v >= 1 && v <= table.lastVersion(idPart)) {
                throw new ResourceGoneException(Msg.code(979) + "Resource was deleted at version " + v);
            }
        } else {
            r = table.read(idPart);
            if (r == null && table.lastVersion(idPart) > 0) {
                throw new ResourceGoneException(Msg.code(2244) + "Resource was deleted at " + table.type + "/" + idPart
                        + "/_history/" + table.lastVersion(idPart));
            }
        }
        if (r == null) throw new ResourceNotFoundException(Msg.code(2001) + "Resource " + table.type + "/" + idPart + " is not known");
        return r;
    }

    // ------------------------------------------------------------------ update / create / patch / delete

    @Update
    public MethodOutcome update(@IdParam IdType id, @ResourceParam String body, RequestDetails rd) {
        Resource r = parse(body, rd);
        String idPart = id.getIdPart();
        if (!r.getIdElement().hasIdPart()) {
            throw new InvalidRequestException(Msg.code(419) + "Can not update resource, resource body must contain an ID element for update (PUT) operation");
        }
        if (!idPart.equals(r.getIdElement().getIdPart())) {
            throw new InvalidRequestException(Msg.code(420) + "Can not update resource, resource body must contain an ID element which matches the request URL for update (PUT) operation - Resource body ID of \""
                    + r.getIdElement().getIdPart() + "\" does not match URL ID of \"" + idPart + "\"");
        }
        if (idPart.matches("[0-9]+") && table.version(idPart) == 0) {
            throw new ResourceNotFoundException(Msg.code(960) + "No resource exists on this server resource with ID[" + idPart
                    + "], and client-assigned IDs are not enabled.");
        }
        return write(idPart, r, ifMatch(rd));
    }

    @Create
    public MethodOutcome create(@ResourceParam String body, RequestDetails rd) {
        Resource r = parse(body, rd);
        String id = table.type.equals("Practitioner") ? store.newPractitionerId() : Long.toString(SERVER_IDS.incrementAndGet());
        return write(id, r, null);
    }

    @Patch
    public MethodOutcome patch(@IdParam IdType id, PatchTypeEnum patchType, @ResourceParam String body, RequestDetails rd) {
        if (patchType != PatchTypeEnum.JSON_PATCH) {
            throw new InvalidRequestException("This server supports JSON Patch (application/json-patch+json) only, not " + patchType);
        }
        String idPart = id.getIdPart();
        Resource current = table.read(idPart);
        if (current == null) throw new ResourceNotFoundException(id);
        Long expected = ifMatch(rd);
        long version = Long.parseLong(current.getMeta().getVersionId());
        if (expected != null && expected != version) {
            throw new ResourceVersionConflictException(Msg.code(989) + "Trying to update " + table.type + "/" + idPart
                    + "/_history/" + expected + " but this is not the current version");
        }
        IParser json = ctx.newJsonParser();
        String patched;
        try {
            patched = JsonPatch.apply(json.encodeResourceToString(current), body);
        } catch (JsonPatch.PatchException e) {
            throw new InvalidRequestException(Msg.code(1271) + "Failed to apply JSON patch to " + table.type + "/" + idPart + ": " + e.getMessage());
        }
        Resource r;
        try {
            r = (Resource) json.parseResource(type, patched);
        } catch (DataFormatException e) {
            throw new UnprocessableEntityException(Msg.code(1272) + "The patched resource is invalid: " + e.getMessage());
        }
        if (r.getIdElement().hasIdPart() && !idPart.equals(r.getIdElement().getIdPart())) {
            throw new InvalidRequestException("A patch may not change the resource id");
        }
        r.setId(idPart);
        return write(idPart, r, version);
    }

    @Delete
    public MethodOutcome delete(@IdParam IdType id) {
        store.delete(table.type, id.getIdPart());
        return new MethodOutcome();
    }

    private MethodOutcome write(String id, Resource r, Long expectedVersion) {
        IhrisStore.WriteResult res;
        try {
            res = store.writeChecked(table.type, id, r, expectedVersion, this::sameContent);
        } catch (IhrisStore.VersionConflict e) {
            throw new ResourceVersionConflictException(Msg.code(989) + e.getMessage());
        }
        Resource stored = res.resource();
        MethodOutcome out = new MethodOutcome(new IdType(table.type, id, stored.getMeta().getVersionId()));
        out.setResource(stored);
        out.setCreated(res.created());
        return out;
    }

    private boolean sameContent(Resource a, Resource b) {
        IParser p = ctx.newJsonParser();
        return p.encodeResourceToString(strip(a)).equals(p.encodeResourceToString(strip(b)));
    }

    private static Resource strip(Resource r) {
        Resource c = r.copy();
        c.setIdElement(new IdType(c.getIdElement().getIdPart()));
        c.getMeta().setVersionId(null);
        c.getMeta().setLastUpdated(null);
        c.getMeta().setSource(null);
        return c;
    }

    private Resource parse(String body, RequestDetails rd) {
        if (body == null || body.isBlank()) throw new InvalidRequestException("No resource in the request body");
        IParser parser = body.stripLeading().startsWith("<") ? ctx.newXmlParser() : ctx.newJsonParser();
        IBaseResource r;
        try {
            r = parser.parseResource(body);
        } catch (DataFormatException e) {
            throw new InvalidRequestException(Msg.code(450) + "Failed to parse request body as " + table.type + ": " + e.getMessage());
        }
        if (!type.isInstance(r)) {
            throw new InvalidRequestException(Msg.code(451) + "Incorrect resource type found, expected \"" + table.type
                    + "\" but found \"" + ctx.getResourceType(r) + "\"");
        }
        return (Resource) r;
    }

    /** The version in an {@code If-Match: W/"3"} header, or null. */
    static Long ifMatch(RequestDetails rd) {
        String h = rd == null ? null : rd.getHeader("If-Match");
        if (h == null || h.isBlank()) return null;
        String v = h.trim();
        if (v.startsWith("W/")) v = v.substring(2);
        v = v.replace("\"", "").trim();
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("Invalid If-Match header value: " + h);
        }
    }

    // ------------------------------------------------------------------ $meta operations (tags change in place, no new version)

    @Operation(name = "$meta", idempotent = true, returnParameters = {@OperationParam(name = "return", typeName = "Meta")})
    public Parameters meta(@IdParam IdType id) {
        Resource r = (Resource) read(id.toUnqualifiedVersionless());
        return metaParameters(r.getMeta());
    }

    @Operation(name = "$meta-add", idempotent = true, returnParameters = {@OperationParam(name = "return", typeName = "Meta")})
    public Parameters metaAdd(@IdParam IdType id, @OperationParam(name = "meta", typeName = "Meta", min = 1, max = 1) IBaseMetaType meta) {
        return changeTags(id, (Meta) meta, true);
    }

    @Operation(name = "$meta-delete", idempotent = true, returnParameters = {@OperationParam(name = "return", typeName = "Meta")})
    public Parameters metaDelete(@IdParam IdType id, @OperationParam(name = "meta", typeName = "Meta", min = 1, max = 1) IBaseMetaType meta) {
        return changeTags(id, (Meta) meta, false);
    }

    private Parameters changeTags(IdType id, Meta meta, boolean add) {
        if (meta == null) throw new InvalidRequestException("Missing required parameter 'meta'");
        List<Coding> tags = meta.getTag();
        Resource r = store.changeTags(table.type, id.getIdPart(), add ? tags : List.of(), add ? List.of() : tags);
        if (r == null) throw new ResourceNotFoundException(id);
        return metaParameters(r.getMeta());
    }

    private static Parameters metaParameters(Meta meta) {
        Parameters p = new Parameters();
        p.addParameter().setName("return").setValue(meta.copy());
        return p;
    }
}
