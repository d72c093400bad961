package io.captainos.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Resolves settings in a fixed order: the command line ({@code -Dname=value}), then the project's properties (a
 * profile such as {@code -Parm64} sets these), then the environment, then the default.
 */
public final class Settings {
    public static final Setting ARCH =
            new Setting("captain.arch", "ARCH", "amd64", "target architectures: amd64, arm64, or both comma-separated");
    public static final Setting KERNEL_SOURCE = new Setting(
            "captain.kernel.source",
            "KERNEL_SOURCE",
            "debian",
            "kernel source: debian (trixie's linux-source), kernel.org, or debian-image (Debian's prebuilt kernel)");
    public static final Setting KERNEL_VERSION = new Setting(
            "captain.kernel.version",
            "KERNEL_VERSION",
            "6.12",
            "kernel branch (6.12: the newest Debian linux-source-6.12) or exact version (6.18.16)");
    public static final Setting KERNEL_SRC = new Setting(
            "captain.kernel.src",
            "KERNEL_SRC",
            "",
            "a local kernel tree to build instead (built out of tree, never modified)");
    public static final Setting KERNEL_CONFIG = new Setting(
            "captain.kernel.config",
            "KERNEL_CONFIG",
            "",
            "a config fragment file that replaces ours for the branch and arch");
    public static final Setting KERNEL_BASE = new Setting(
            "captain.kernel.base",
            "KERNEL_BASE",
            "defconfig",
            "the make target the fragment is merged onto: defconfig, tinyconfig or allnoconfig");
    public static final Setting KERNEL_MIRROR = new Setting(
            "captain.kernel.mirror",
            "KERNEL_MIRROR",
            "https://cdn.kernel.org/pub/linux/kernel/",
            "kernel.org base URL (or an internal mirror of it)");
    public static final Setting KERNEL_CCACHE = new Setting(
            "captain.kernel.ccache",
            "KERNEL_CCACHE",
            "auto",
            "compile through ccache: auto (when installed), true or false");
    public static final Setting TOOLS_SOURCE = new Setting(
            "captain.tools.source",
            "TOOLS_SOURCE",
            "debian-source",
            "where containerd, runc and the CNI plugins come from: debian (Debian's packages), debian-source"
                    + " (containerd compiled from Debian's source without the CRI plugin) or upstream");
    public static final Setting TOOLS_SUITE = new Setting(
            "captain.tools.suite",
            "TOOLS_SUITE",
            "",
            "the Debian suite the debian and debian-source tools sources take containerd, runc and the CNI plugins from, e.g. sid for"
                    + " containerd 2 (default: the suites of captain.debian.suites)");
    public static final Setting TOOLS_MIRROR = new Setting(
            "captain.tools.mirror",
            "TOOLS_MIRROR",
            "https://github.com/",
            "base URL that replaces https://github.com/ in upstream release URLs");
    public static final Setting DEBIAN_MIRROR = new Setting(
            "captain.debian.mirror",
            "DEBIAN_MIRROR",
            "",
            "Debian archive URL (default: the host's configured mirror, else http://deb.debian.org/debian)");
    public static final Setting DEBIAN_SUITES = new Setting(
            "captain.debian.suites",
            "DEBIAN_SUITES",
            "trixie,trixie-updates",
            "Debian suites searched, newest version wins");
    public static final Setting DEBIAN_ALLOW_EXPIRED = new Setting(
            "captain.debian.allowExpired",
            "DEBIAN_ALLOW_EXPIRED",
            "",
            "suites (comma-separated) whose signed Release the build takes past its Valid-Until, as apt's"
                    + " check-valid-until=no does for a snapshot mirror; signatures and digests are still checked");
    public static final Setting DEBIAN_KEYRING = new Setting(
            "captain.debian.keyring",
            "DEBIAN_KEYRING",
            "",
            "OpenPGP keyring that signs the archive (default: the host's debian-archive-keyring, else the bundled one)");
    public static final Setting CACHE = new Setting(
            "captain.cache",
            "CAPTAIN_CACHE",
            "",
            "download cache (default: .cache/captainos in the local Maven repository)");
    public static final Setting HOST_INSTALL = new Setting(
            "captain.host.install",
            "CAPTAIN_HOST_INSTALL",
            "true",
            "install missing host packages with apt-get when running as root on Debian");
    public static final Setting CONTAINERD_VERSION = new Setting(
            "captain.containerd.version",
            "CONTAINERD_VERSION",
            "2.2.1",
            "containerd release for the upstream tools source");
    public static final Setting RUNC_VERSION =
            new Setting("captain.runc.version", "RUNC_VERSION", "1.4.0", "runc release for the upstream tools source");
    public static final Setting NERDCTL_VERSION = new Setting(
            "captain.nerdctl.version", "NERDCTL_VERSION", "2.2.1", "nerdctl release for the upstream tools source");
    public static final Setting LOCK_TIMEOUT = new Setting(
            "captain.lock.timeout",
            "CAPTAIN_LOCK_TIMEOUT",
            "3600",
            "seconds a stage waits for another build holding its work folder");
    public static final Setting DOCKER_HOST = new Setting(
            "captain.docker.host",
            "DOCKER_HOST",
            "",
            "the container engine for docker mode: unix:///path/to/socket or tcp://host:port (default:"
                    + " unix:///var/run/docker.sock; the Docker API only, so podman's Docker-compatible socket is meant"
                    + " to work)");
    public static final Setting BUILDER_BASE = new Setting(
            "captain.builder.base",
            "BUILDER_BASE",
            "",
            "an image already in the engine to build the builder image on, instead of the Debian trixie base the"
                    + " build makes with mkosi");
    public static final Setting BUILDER_NO_CACHE = new Setting(
            "captain.builder.noCache",
            "BUILDER_NO_CACHE",
            "false",
            "build the builder image (and the base it is made on) again even when the engine has its tag");
    public static final Setting CNI_VERSION = new Setting(
            "captain.cni.version", "CNI_VERSION", "1.6.0", "CNI plugins release for the upstream tools source");

    private final Map<String, String> commandLine;
    private final Map<String, String> project;
    private final Map<String, String> environment;

    public Settings(Map<String, String> commandLine, Map<String, String> project, Map<String, String> environment) {
        this.commandLine = Map.copyOf(commandLine);
        this.project = Map.copyOf(project);
        this.environment = Map.copyOf(environment);
    }

    /** Settings from the command line only: for tests. */
    public static Settings of(Map<String, String> commandLine) {
        return new Settings(commandLine, Map.of(), Map.of());
    }

    /** A resolved value and where it came from. */
    public record Value(Setting setting, String value, String origin) {}

    public Value resolve(Setting s) {
        String v = commandLine.get(s.property());
        if (v != null) {
            return new Value(s, v, "command line -D" + s.property());
        }
        v = project.get(s.property());
        if (v != null) {
            return new Value(s, v, "project property " + s.property());
        }
        if (s.env() != null) {
            v = environment.get(s.env());
            if (v != null && !v.isEmpty()) {
                return new Value(s, v, "environment " + s.env());
            }
        }
        return new Value(s, s.defaultValue(), "default");
    }

    public String get(Setting s) {
        return resolve(s).value();
    }

    public boolean flag(Setting s) {
        String v = get(s).trim().toLowerCase();
        switch (v) {
            case "":
            case "true":
            case "yes":
            case "1":
                return true;
            case "false":
            case "no":
            case "0":
                return false;
            default:
                throw new CaptainException(
                        "Invalid value '" + get(s) + "' for " + s.property() + ": use true or false");
        }
    }

    /** The mode setting of a stage. */
    public static Setting mode(Stage stage) {
        return new Setting(
                stage.modeProperty(),
                stage.modeEnv(),
                "auto",
                stage.id() + " stage mode: auto, native, docker or skip");
    }

    /** The force setting of a stage. */
    public static Setting force(Stage stage) {
        return new Setting(
                stage.forceProperty(),
                stage.modeEnv().replace("_MODE", "_FORCE"),
                "false",
                "rebuild the " + stage.id() + " stage even when its inputs are unchanged");
    }

    /** Every setting, in the order the summary prints them. */
    public static List<Setting> all() {
        List<Setting> all = new ArrayList<>(List.of(ARCH));
        for (Stage s : Stage.values()) {
            all.add(mode(s));
            all.add(force(s));
        }
        all.addAll(List.of(
                KERNEL_SOURCE,
                KERNEL_VERSION,
                KERNEL_SRC,
                KERNEL_CONFIG,
                KERNEL_BASE,
                KERNEL_MIRROR,
                KERNEL_CCACHE,
                TOOLS_SOURCE,
                TOOLS_SUITE,
                TOOLS_MIRROR,
                CONTAINERD_VERSION,
                RUNC_VERSION,
                NERDCTL_VERSION,
                CNI_VERSION,
                DEBIAN_MIRROR,
                DEBIAN_SUITES,
                DEBIAN_ALLOW_EXPIRED,
                DEBIAN_KEYRING,
                CACHE,
                HOST_INSTALL,
                LOCK_TIMEOUT,
                DOCKER_HOST,
                BUILDER_BASE,
                BUILDER_NO_CACHE));
        return Collections.unmodifiableList(all);
    }
}
