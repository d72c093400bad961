package io.captainos.core;

/** Where containerd, runc and the CNI plugins come from ({@code captain.tools.source}). */
public enum ToolsSourceKind implements Choice {
    /** Debian packages of the configured suites. */
    DEBIAN("debian"),
    /** The pinned upstream GitHub releases. */
    UPSTREAM("upstream");

    private final String id;

    ToolsSourceKind(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }
}
