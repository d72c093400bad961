package io.captainos.core.kernel;

import io.captainos.core.Arch;
import io.captainos.core.host.HostPackages;
import io.captainos.core.host.Requirement;
import java.util.List;

/** The compiler prefix for a target arch on this host, and the host programs a kernel compile needs. */
public final class Toolchain {
    private final Arch target;
    private final Arch host;

    public Toolchain(Arch target, Arch host) {
        this.target = target;
        this.host = host;
    }

    /** {@code aarch64-linux-gnu-} when cross-compiling for arm64, empty for a native build. */
    public String crossCompile() {
        return target == host ? "" : target.linux() + "-linux-gnu-";
    }

    public String gcc() {
        return crossCompile() + "gcc";
    }

    /** What {@code make bzImage modules} and the module processing need, with the Debian packages providing it. */
    public List<Requirement> requirements() {
        return HostPackages.of("kernel", target, host);
    }
}
