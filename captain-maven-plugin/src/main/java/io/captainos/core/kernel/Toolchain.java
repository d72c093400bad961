package io.captainos.core.kernel;

import io.captainos.core.Arch;
import io.captainos.core.host.Requirement;
import java.util.ArrayList;
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

    /** What `make bzImage modules` and the module processing need, with the Debian packages providing it. */
    public List<Requirement> requirements() {
        String crossPkg = target == Arch.ARM64 ? "aarch64-linux-gnu" : "x86-64-linux-gnu";
        List<Requirement> r = new ArrayList<>(List.of(
                Requirement.program("make", "make"),
                Requirement.program("flex", "flex"),
                Requirement.program("bison", "bison"),
                Requirement.program("bc", "bc"),
                Requirement.program("perl", "perl"),
                Requirement.program("tar", "tar"),
                Requirement.program("xz", "xz-utils"),
                Requirement.program("zstd", "zstd"),
                Requirement.program("depmod", "kmod"),
                Requirement.file("/usr/include/libelf.h", "libelf-dev"),
                Requirement.file("/usr/include/openssl/ssl.h", "libssl-dev")));
        if (crossCompile().isEmpty()) {
            r.add(Requirement.program("gcc", "gcc"));
            r.add(Requirement.program("strip", "binutils"));
        } else {
            r.add(Requirement.program(gcc(), "gcc-" + crossPkg));
            r.add(Requirement.program(crossCompile() + "strip", "binutils-" + crossPkg));
        }
        return r;
    }
}
