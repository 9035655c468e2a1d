package org.mhero.sandbox.rapidpro;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The simulated workspace's objects. Guarded by the simulator's lock; times are epoch microseconds. */
final class Model {
    private Model() {}

    static final class Contact {
        long id;
        String uuid;
        String name;
        String language;
        String status = "active";
        final List<String> urns = new ArrayList<>();
        final Set<Group> groups = new LinkedHashSet<>();
        final Map<String, String> fields = new HashMap<>();
        Flow flow;
        long createdOn;
        long modifiedOn;
        Long lastSeenOn;
        boolean deleted;
        boolean createdByApi;

        String preferredUrn() { return urns.isEmpty() ? null : urns.get(0); }
    }

    static final class Group {
        String uuid;
        String name;
        String query;
        long createdOn;
    }

    static final class Field {
        String key;
        String name;
        String type;
        long createdOn;
    }

    static final class Flow {
        FlowDef def;
        long createdOn;
        long modifiedOn;

        String uuid() { return def.uuid(); }
        String name() { return def.name(); }
    }

    static final class Broadcast {
        long id;
        String uuid;
        List<String> urns = List.of();
        List<Contact> contacts = List.of();
        List<Group> groups = List.of();
        ObjectNode text;
        ObjectNode attachments;
        ObjectNode quickReplies;
        String baseLanguage;
        long createdOn;
        long modifiedOn;
        int stage;
        long dueQueuedNanos;
        long dueDoneNanos;
        final List<Contact> recipients = new ArrayList<>();
        final List<Msg> msgs = new ArrayList<>();
    }

    static final class Start {
        long id;
        String uuid;
        Flow flow;
        List<String> urns = List.of();
        List<Contact> contacts = List.of();
        List<Group> groups = List.of();
        JsonNode params;
        JsonNode extra;
        boolean restartParticipants = true;
        boolean excludeActive;
        long createdOn;
        long modifiedOn;
        int stage;
        long dueQueuedNanos;
        long dueDoneNanos;
        final List<Contact> recipients = new ArrayList<>();
        final List<Run> runs = new ArrayList<>();
        final List<Msg> msgs = new ArrayList<>();
    }

    static final class Msg {
        long id;
        String uuid;
        Contact contact;
        String urn;
        boolean incoming;
        String status;
        String visibility = "visible";
        String text;
        JsonNode quickReplies;
        Flow flow;
        Broadcast broadcast;
        Start start;
        long createdOn;
        long modifiedOn;
        Long sentOn;
    }

    static final class Value {
        String name;
        String value;
        String category;
        String node;
        String input;
        long time;
    }

    static final class Step {
        final String node;
        final long time;
        Step(String node, long time) { this.node = node; this.time = time; }
    }

    static final class Run {
        long id;
        String uuid;
        Flow flow;
        Contact contact;
        String urn;
        Start start;
        boolean responded;
        final List<Step> path = new ArrayList<>();
        final Map<String, Value> values = new LinkedHashMap<>();
        long createdOn;
        long modifiedOn;
        Long exitedOn;
        String exitType;
        Msg lastInput;
    }

    static final class Resthook {
        String slug;
        long createdOn;
        long modifiedOn;
    }

    static final class Subscriber {
        long id;
        String resthook;
        String targetUrl;
        long createdOn;
    }

    static final class Event {
        String resthook;
        JsonNode data;
        long createdOn;
    }
}
