package io.captainos.core;

/** Where containerd, runc and the CNI plugins come from ({@code captain.tools.source}). */
public enum ToolsSourceKind implements Choice {
    /** Debian packages of the configured suites. */
    DEBIAN("debian"),
    /**
     * containerd compiled from Debian's source package without the CRI plugin and the snapshotters this OS never
     * uses; runc and the CNI plugins as {@link #DEBIAN}.
     */
    DEBIAN_SOURCE("debian-source"),
    /** The pinned upstream GitHub releases. */
    UPSTREAM("upstream");

    private final String id;

    ToolsSourceKind(String id) {
        this.id = id;
    }

    /** Whether the tools come from a Debian archive (and so from its suites). */
    public boolean debian() {
        return this != UPSTREAM;
    }

    @Override
    public String id() {
        return id;
    }
}
