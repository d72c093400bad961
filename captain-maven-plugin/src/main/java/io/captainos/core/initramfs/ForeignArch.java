package io.captainos.core.initramfs;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.host.HostPackages;
import io.captainos.core.host.HostPrerequisites;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Running the target's programs on another arch's host (package scripts of an arm64 image on amd64): qemu-user
 * registered with binfmt_misc.
 */
public final class ForeignArch {
    private static final Path BINFMT = Path.of("/proc/sys/fs/binfmt_misc");

    private ForeignArch() {}

    /** The binfmt_misc entry that runs {@code arch}'s binaries, e.g. {@code qemu-aarch64}. */
    static String entry(Arch arch) {
        return "qemu-" + arch.linux();
    }

    /** Makes sure the host runs the target's binaries; nothing to do when the target is the host's arch. */
    public static void ensure(
            Arch target, Arch host, HostPrerequisites prerequisites, CommandRunner runner, BuildLog log) {
        if (target == host) {
            return;
        }
        String entry = entry(target);
        prerequisites.ensure(
                "initramfs (" + target.linux() + " on " + (host == null ? "this" : host.linux()) + " host)",
                HostPackages.of("foreign", target, host));
        if (Files.exists(BINFMT.resolve(entry))) {
            return;
        }
        if (!Files.exists(BINFMT.resolve("register"))) {
            log.info("initramfs: mounting binfmt_misc to run " + target.linux() + " binaries");
            runner.run(Command.of(null, "mount", "-t", "binfmt_misc", "binfmt_misc", BINFMT.toString()));
        }
        runner.run(Command.of(null, HostPrerequisites.locate("update-binfmts"), "--enable", entry));
        if (!Files.exists(BINFMT.resolve(entry))) {
            throw new CaptainException("initramfs: " + target.linux() + " binaries cannot run on this host: "
                    + BINFMT.resolve(entry) + " is missing after update-binfmts --enable " + entry + ". Register"
                    + " qemu-user-static with binfmt_misc (as root: mount -t binfmt_misc binfmt_misc " + BINFMT
                    + " && update-binfmts --enable " + entry + "), or build on an " + target.debian() + " host");
        }
    }
}
