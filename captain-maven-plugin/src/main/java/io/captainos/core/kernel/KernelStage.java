package io.captainos.core.kernel;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.Files2;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Compiles a kernel for one arch, out of tree: the base config ({@code defconfig} by default), our fragment merged
 * onto it, {@code olddefconfig}, then the boot image and modules with every core, modules installed stripped and
 * zstd-compressed into {@code usr/lib/modules}. The build folder is kept between builds, so make (and ccache) only
 * redo what changed; the pipeline skips the stage when the digest of its inputs matches the last build.
 */
public final class KernelStage {
    /** What the compile needs besides the source. */
    public record Options(String base, boolean ccache, long timestamp, int jobs, String builderVersion) {}

    /** Symbols every CaptainOS kernel gets, whatever the fragment says. */
    static final Map<String, String> FORCED = forced();

    private final KernelSource source;
    private final KernelConfigs configs;
    private final String configOverride;
    private final Path stageDir;
    private final Options options;
    private final CommandRunner runner;
    private final BuildLog log;

    public KernelStage(
            KernelSource source,
            KernelConfigs configs,
            String configOverride,
            Path stageDir,
            Options options,
            CommandRunner runner,
            BuildLog log) {
        this.source = source;
        this.configs = configs;
        this.configOverride = configOverride;
        this.stageDir = stageDir;
        this.options = options;
        this.runner = runner;
        this.log = log;
    }

    private static Map<String, String> forced() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CONFIG_LOCALVERSION", "\"-captainos\"");
        m.put("CONFIG_LOCALVERSION_AUTO", "n");
        return Collections.unmodifiableMap(m);
    }

    /** The compile for one arch, with the toolchain that builds for it on this host. */
    public StageWork forArch(Arch arch, Toolchain toolchain) {
        StageOutputs out = KernelOutputs.of(stageDir, arch);
        return new StageWork(out) {
            private KernelTree tree;
            private Path fragmentFile;
            private KernelConfig fragment;

            @Override
            public InputHash inputs() {
                tree = source.prepare();
                fragmentFile = configs.resolve(tree.branch(), arch, configOverride);
                fragment = KernelConfig.read(fragmentFile);
                InputHash inputs = stageInputs()
                        .value("kernel.version", tree.version())
                        .value("kernel.base", options.base())
                        .value("kernel.fragment", Sha256.of(fragment.render().getBytes(StandardCharsets.UTF_8)))
                        .value("kernel.forced", FORCED)
                        .value("modules.unwanted", String.join(",", ModuleTree.UNWANTED))
                        .value("modules.required", String.join(",", ModuleTree.REQUIRED))
                        .value("toolchain", firstLine(runner.capture(Command.of(null, toolchain.gcc(), "--version"))))
                        .value("timestamp", options.timestamp())
                        .value("builder", options.builderVersion());
                source.describe(inputs);
                return inputs;
            }

            @Override
            public String plan() {
                return "building " + tree.version() + " from " + source.id() + " with " + fragmentFile.getFileName()
                        + " on " + options.base();
            }

            @Override
            public String build() throws IOException {
                compile(arch, toolchain, out, tree, fragmentFile, fragment);
                return tree.version();
            }
        };
    }

    private void compile(
            Arch arch, Toolchain toolchain, StageOutputs out, KernelTree tree, Path fragmentFile, KernelConfig fragment)
            throws IOException {
        String cc = (options.ccache() ? "ccache " : "") + toolchain.gcc();
        Path obj = out.dir().resolve("obj");
        List<String> make = makeBase(tree, obj, arch, toolchain, cc);
        Map<String, String> env = env();
        Files.createDirectories(obj);
        runner.run(command(make, env, options.base()));
        KernelConfig merged = KernelConfig.read(obj.resolve(".config"))
                .merge(fragment)
                .merge(KernelConfig.parse(FORCED.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList()));
        Files.writeString(obj.resolve(".config"), merged.render());
        runner.run(command(make, env, "olddefconfig"));
        KernelConfig resolved = KernelConfig.read(obj.resolve(".config"));
        List<String> dropped = KernelConfig.dropped(fragment, resolved);
        Path droppedFile = out.dir().resolve("dropped-symbols.txt");
        Files2.writeAtomically(droppedFile, dropped.stream().map(d -> d + "\n").collect(Collectors.joining()));
        if (!dropped.isEmpty()) {
            log.warn("kernel (" + arch.linux() + "): " + dropped.size() + " symbols of " + fragmentFile.getFileName()
                    + " did not survive olddefconfig (listed in " + droppedFile + "): "
                    + String.join(", ", dropped.subList(0, Math.min(10, dropped.size())))
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
            runner.run(command(
                    make, env, "INSTALL_MOD_PATH=" + staging, "INSTALL_MOD_STRIP=--strip-unneeded", "modules_install"));
        }
        // The promise of the required modules is for our own configurations.
        boolean ours = (configOverride == null || configOverride.isBlank()) && "defconfig".equals(options.base());
        new ModuleTree(runner, log).finish(staging, release, arch, ours);
        Path image =
                obj.resolve("arch").resolve(arch.kernelArch()).resolve("boot").resolve(arch.kernelImage());
        KernelOutputs.commit(out, staging, image, obj.resolve(".config"), options.timestamp());
        log.info(String.format(
                "kernel (%s): %s, vmlinuz %.1f MB, modules %.1f MB",
                arch.linux(),
                release,
                Files.size(out.path(KernelOutputs.VMLINUZ)) / 1e6,
                Files.size(out.path(KernelOutputs.MODULES)) / 1e6));
    }

    private static List<String> makeBase(KernelTree tree, Path obj, Arch arch, Toolchain toolchain, String cc) {
        List<String> make = new ArrayList<>(
                List.of("make", "-C", tree.dir().toString(), "O=" + obj, "ARCH=" + arch.kernelArch(), "CC=" + cc));
        if (!toolchain.crossCompile().isEmpty()) {
            make.add("CROSS_COMPILE=" + toolchain.crossCompile());
        }
        return make;
    }

    /** The environment that makes two builds of the same inputs give the same kernel. */
    private Map<String, String> env() {
        return Map.of(
                "KBUILD_BUILD_TIMESTAMP",
                        DateTimeFormatter.RFC_1123_DATE_TIME.format(
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
