package org.mhero.broadcast;

/** What a broadcast sends: a text, or a RapidPro flow start with params. */
public sealed interface Content {
    /** A plain message. */
    record Text(String text) implements Content {}

    /** A RapidPro flow (messaging or voice) started for each recipient; {@code paramsJson} is a JSON object or null. */
    record FlowStart(String flowUuid, String paramsJson) implements Content {}
}
