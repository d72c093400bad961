package io.captainos.core.tools;

import io.captainos.core.Arch;
import java.util.Map;

/**
 * One upstream release: the asset for an arch, the checksum file published beside it, and which binaries of the
 * asset go where in the bundle. Paths are relative to the GitHub base URL (or its mirror).
 */
public record UpstreamComponent(
        String name,
        String version,
        String assetPattern,
        String checksumPattern,
        String releasePath,
        Map<String, String> members) {

    /** The asset's file name for an arch; {@code {v}} is the version, {@code {arch}} Debian's arch name. */
    public String asset(Arch arch) {
        return expand(assetPattern, arch);
    }

    public String checksumFile(Arch arch) {
        return expand(checksumPattern, arch);
    }

    /** The release folder, such as {@code containerd/containerd/releases/download/v2.2.1/}. */
    public String releaseDir() {
        return releasePath.replace("{v}", version);
    }

    /** True when the asset is the binary itself rather than an archive. */
    public boolean rawBinary() {
        return !assetPattern.endsWith(".tar.gz") && !assetPattern.endsWith(".tgz");
    }

    private String expand(String pattern, Arch arch) {
        return pattern.replace("{v}", version).replace("{arch}", arch.debian());
    }
}
