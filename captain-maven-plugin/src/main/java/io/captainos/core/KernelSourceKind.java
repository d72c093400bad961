package io.captainos.core;

/** Where the kernel comes from ({@code captain.kernel.source}). */
public enum KernelSourceKind implements Choice {
    /** Debian's {@code linux-source-<branch>} package, compiled with our config. */
    DEBIAN("debian"),
    /** A kernel.org release tarball, compiled with our config. */
    KERNEL_ORG("kernel.org"),
    /** Debian's prebuilt {@code linux-image} package: no compile. */
    DEBIAN_IMAGE("debian-image");

    private final String id;

    KernelSourceKind(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }
}
