package io.captainos.core.kernel;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageStamp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compiles a kernel for one arch, out of tree: the base config ({@code defconfig} by default), our fragment merged
 * onto it, {@code olddefconfig}, then the boot image and modules with every core, modules installed stripped and
 * zstd-compressed into {@code usr/lib/modules}. The build folder is kept between builds, so make (and ccache) only
 * redo what changed; the stage itself is skipped when the digest of its inputs matches the last build.
 */
public final class KernelStage {
    /** The result for an arch. */
    public record Result(Arch arch, String version, Path vmlinuz, Path modules, Path config, Path out,
            boolean built, List<String> dropped) {}

    /** What the compile needs besides the source. */
    public record Options(String base, boolean ccache, long timestamp, int jobs, String builderVersion) {}

    /** Symbols every CaptainOS kernel gets, whatever the fragment says. */
    static final Map<String, String> FORCED = forced();

    private final KernelSource source;
    private final KernelConfigs configs;
    private final String configOverride;
    private final Path stageDir;
    private final Path outDir;
    private final Options options;
    private final CommandRunner runner;
    private final BuildLog log;

    public KernelStage(KernelSource source, KernelConfigs configs, String configOverride, Path stageDir, Path outDir,
            Options options, CommandRunner runner, BuildLog log) {
        this.source = source;
        this.configs = configs;
        this.configOverride = configOverride;
        this.stageDir = stageDir;
        this.outDir = outDir;
        this.options = options;
        this.runner = runner;
        this.log = log;
    }

    private static Map<String, String> forced() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CONFIG_LOCALVERSION", "\"-captainos\"");
        m.put("CONFIG_LOCALVERSION_AUTO", "n");
        return java.util.Collections.unmodifiableMap(m);
    }

    public Result build(Arch arch, Toolchain toolchain, boolean force) {
        KernelOutputs out = new KernelOutputs(stageDir, outDir, arch);
        KernelTree tree = source.prepare();
        Path fragmentFile = configs.resolve(tree.branch(), arch, configOverride);
        KernelConfig fragment = KernelConfig.read(fragmentFile);
        String cc = (options.ccache() ? "ccache " : "") + toolchain.gcc();
        InputHash inputs = new InputHash()
                .value("stage", "kernel")
                .value("arch", arch.debian())
                .value("kernel.version", tree.version())
                .value("kernel.base", options.base())
                .value("kernel.fragment", io.captainos.core.fetch.Sha256.of(fragment.render().getBytes()))
                .value("kernel.forced", FORCED)
                .value("modules.unwanted", String.join(",", ModuleTree.UNWANTED))
                .value("modules.required", String.join(",", ModuleTree.REQUIRED))
                .value("toolchain", firstLine(runner.capture(Command.of(null, toolchain.gcc(), "--version"))))
                .value("timestamp", options.timestamp())
                .value("builder", options.builderVersion());
        source.describe(inputs);
        StageStamp stamp = new StageStamp(out.stamp());
        String stale = force ? "forced" : stamp.staleReason(inputs,
                List.of(out.vmlinuz(), out.config(), out.modules(), out.outVmlinuz(tree.version())));
        if (stale == null) {
            log.info("kernel (" + arch.linux() + "): " + tree.version() + " up to date, inputs "
                    + inputs.digest().substring(0, 12) + "; skipping");
            return new Result(arch, tree.version(), out.vmlinuz(), out.modules(), out.config(),
                    out.outVmlinuz(tree.version()), false, List.of());
        }
        log.info("kernel (" + arch.linux() + "): building " + tree.version() + " from " + source.id() + " with "
                + fragmentFile.getFileName() + " on " + options.base() + " (" + stale + ")");
        stamp.invalidate();
        Path obj = out.dir().resolve("obj");
        List<String> make = makeBase(tree, obj, arch, toolchain, cc);
        Map<String, String> env = env();
        try {
            Files.createDirectories(obj);
            runner.run(command(make, env, options.base()));
            KernelConfig merged = KernelConfig.read(obj.resolve(".config")).merge(fragment)
                    .merge(KernelConfig.parse(FORCED.entrySet().stream()
                            .map(e -> e.getKey() + "=" + e.getValue()).toList()));
            Files.writeString(obj.resolve(".config"), merged.render());
            runner.run(command(make, env, "olddefconfig"));
            KernelConfig resolved = KernelConfig.read(obj.resolve(".config"));
            List<String> dropped = KernelConfig.dropped(fragment, resolved);
            Files2.writeAtomically(out.dir().resolve("dropped-symbols.txt"),
                    dropped.stream().map(d -> d + "\n").collect(java.util.stream.Collectors.joining()));
            if (!dropped.isEmpty()) {
                log.warn("kernel (" + arch.linux() + "): " + dropped.size() + " symbols of " + fragmentFile.getFileName()
                        + " did not survive olddefconfig (listed in " + out.dir().resolve("dropped-symbols.txt")
                        + "): " + String.join(", ", dropped.subList(0, Math.min(10, dropped.size())))
                        + (dropped.size() > 10 ? ", ..." : ""));
            }
            boolean modules = !resolved.get("CONFIG_MODULES").equals("n");
            List<String> targets = new ArrayList<>(List.of("-j" + options.jobs(), arch.kernelImage()));
            if (modules) {
                targets.add("modules");
            }
            runner.run(command(make, env, targets.toArray(String[]::new)));
            String release = firstLine(runner.capture(command(make, env, "-s", "kernelrelease")));
            Path staging = out.dir().resolve("modules-root");
            Files2.deleteTree(staging);
            Files.createDirectories(staging.resolve("lib/modules").resolve(release));
            if (modules) {
                runner.run(command(make, env, "INSTALL_MOD_PATH=" + staging, "INSTALL_MOD_STRIP=--strip-unneeded",
                        "modules_install"));
            }
            // The promise of the required modules is for our own configurations.
            boolean ours = (configOverride == null || configOverride.isBlank())
                    && "defconfig".equals(options.base());
            new ModuleTree(runner, log).finish(staging, release, arch, ours);
            Path image = obj.resolve("arch").resolve(arch.kernelArch()).resolve("boot").resolve(arch.kernelImage());
            Path published = out.commit(staging, image, obj.resolve(".config"), tree.version(), release,
                    options.timestamp());
            stamp.record(inputs);
            log.info(String.format("kernel (%s): %s, vmlinuz %.1f MB, modules %.1f MB (%s)", arch.linux(), release,
                    Files.size(out.vmlinuz()) / 1e6, Files.size(out.modules()) / 1e6, published));
            return new Result(arch, tree.version(), out.vmlinuz(), out.modules(), out.config(), published, true,
                    dropped);
        } catch (IOException e) {
            throw new CaptainException("kernel (" + arch.linux() + "): " + e.getMessage(), e);
        }
    }

    private static List<String> makeBase(KernelTree tree, Path obj, Arch arch, Toolchain toolchain, String cc) {
        List<String> make = new ArrayList<>(List.of("make", "-C", tree.dir().toString(), "O=" + obj,
                "ARCH=" + arch.kernelArch(), "CC=" + cc));
        if (!toolchain.crossCompile().isEmpty()) {
            make.add("CROSS_COMPILE=" + toolchain.crossCompile());
        }
        return make;
    }

    /** The environment that makes two builds of the same inputs give the same kernel. */
    private Map<String, String> env() {
        return Map.of(
                "KBUILD_BUILD_TIMESTAMP", DateTimeFormatter.RFC_1123_DATE_TIME.format(
                        Instant.ofEpochSecond(options.timestamp()).atOffset(ZoneOffset.UTC)),
                "KBUILD_BUILD_USER", "captainos",
                "KBUILD_BUILD_HOST", "captainos",
                "KBUILD_BUILD_VERSION", "1",
                "LC_ALL", "C");
    }

    private static Command command(List<String> make, Map<String, String> env, String... args) {
        List<String> all = new ArrayList<>(make);
        all.addAll(List.of(args));
        return new Command(all, null, env);
    }

    static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
