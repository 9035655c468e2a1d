package org.mhero.rapidpro;

/** The actions of {@code contact_actions.json} (contract rapidpro.md §6). */
public enum ContactAction {
    ADD("add", true), REMOVE("remove", true), BLOCK("block", false), UNBLOCK("unblock", false),
    INTERRUPT("interrupt", false), ARCHIVE_MESSAGES("archive_messages", false), DELETE("delete", false);

    private final String wire;
    private final boolean needsGroup;

    ContactAction(String wire, boolean needsGroup) {
        this.wire = wire;
        this.needsGroup = needsGroup;
    }

    public String wire() { return wire; }
    /** {@code add} and {@code remove} need a group; the others must not have one. */
    public boolean needsGroup() { return needsGroup; }
}
