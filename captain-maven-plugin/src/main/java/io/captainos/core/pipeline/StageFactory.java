package io.captainos.core.pipeline;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Ccache;
import io.captainos.core.KernelSourceKind;
import io.captainos.core.Settings;
import io.captainos.core.Stage;
import io.captainos.core.ToolsSourceKind;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.exec.NativeRunner;
import io.captainos.core.exec.StageExecution;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.host.HostPackages;
import io.captainos.core.host.HostPrerequisites;
import io.captainos.core.host.Requirement;
import io.captainos.core.initramfs.ForeignArch;
import io.captainos.core.initramfs.InitramfsStage;
import io.captainos.core.initramfs.Mkosi;
import io.captainos.core.initramfs.Preload;
import io.captainos.core.iso.GrubPlatforms;
import io.captainos.core.iso.IsoStage;
import io.captainos.core.kernel.KernelConfigs;
import io.captainos.core.kernel.KernelStage;
import io.captainos.core.kernel.PrebuiltKernelStage;
import io.captainos.core.kernel.Toolchain;
import io.captainos.core.sources.Sources;
import io.captainos.core.state.StageWork;
import io.captainos.core.tools.ToolsStage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Assembles each stage from the build's settings for the mode it runs in: which source, which runner, what the host
 * must have (checked and installed natively; the builder image has it all). The goals give it only what Maven
 * knows: the folders, the parameters of their own stage and the files of other modules.
 */
public final class StageFactory {
    /** The Python 3 that runs an unpacked mkosi (in the builder image, and for the builder image's base). */
    public static final String PYTHON = "/usr/bin/python3";

    /**
     * The build's folders and anchors.
     *
     * @param root      the folder the build started in; relative settings are taken from it
     * @param buildDir  where stages keep their work
     * @param outDir    where release files are published
     * @param cacheDir  the download cache
     * @param timestamp the time every artifact entry carries
     * @param builderId the plugin's identity, an input of every stage
     * @param offline   Maven's offline mode
     */
    public record Layout(
            Path root, Path buildDir, Path outDir, Path cacheDir, long timestamp, String builderId, boolean offline) {
        public Path stageDir(Stage stage) {
            return buildDir.resolve(stage.id());
        }
    }

    private final BuildConfig config;
    private final StageExecution.Resolved mode;
    private final Layout layout;
    private final Supplier<DownloadCache> cache;
    private final BuildLog log;

    public StageFactory(
            BuildConfig config,
            StageExecution.Resolved mode,
            Layout layout,
            Supplier<DownloadCache> cache,
            BuildLog log) {
        this.config = config;
        this.mode = mode;
        this.layout = layout;
        this.cache = cache;
        this.log = log;
    }

    /** The host's programs for the stage: checked (and installed) on this host, or the builder image's. */
    private HostPrerequisites host() {
        return mode.inBuilder()
                ? HostPrerequisites.provided(log)
                : HostPrerequisites.ofThisHost(config.hostInstall(), mode.runner(), log);
    }

    /**
     * The kernel for an arch: Debian's prebuilt image, or a compile of the configured source with our config
     * fragments from {@code configDir}, cross-compiled for a foreign arch, through ccache when asked or present.
     */
    public StageWork kernel(Arch arch, Path configDir) {
        HostPrerequisites host = host();
        Path stageDir = layout.stageDir(Stage.KERNEL);
        if (config.kernelSource() == KernelSourceKind.DEBIAN_IMAGE
                && config.text(Settings.KERNEL_SRC).isEmpty()) {
            host.ensure("kernel", HostPackages.of("kernel-image", arch, Arch.host()));
            return new PrebuiltKernelStage(
                            Sources.debian(config, cache.get(), log),
                            stageDir,
                            layout.timestamp(),
                            layout.builderId(),
                            mode.runner(),
                            log)
                    .forArch(arch);
        }
        Arch hostArch = Arch.host();
        if (hostArch == null) {
            throw new CaptainException(
                    "Kernel compiles run on amd64 or arm64 hosts; this is " + System.getProperty("os.arch"));
        }
        Toolchain toolchain = new Toolchain(arch, hostArch);
        List<Requirement> needs = new ArrayList<>(toolchain.requirements());
        Requirement ccache = HostPackages.optional("kernel", "ccache");
        if (config.ccache() == Ccache.TRUE) {
            needs.add(ccache);
        }
        host.ensure("kernel", needs);
        boolean useCcache = config.ccache() == Ccache.TRUE
                || (config.ccache() == Ccache.AUTO
                        && host.missing(List.of(ccache)).isEmpty());
        KernelStage.Options options = new KernelStage.Options(
                config.kernelBase().id(),
                useCcache,
                layout.timestamp(),
                Runtime.getRuntime().availableProcessors(),
                layout.builderId());
        String override = config.text(Settings.KERNEL_CONFIG);
        return new KernelStage(
                        Sources.kernel(config, cache.get(), mode.runner(), log),
                        new KernelConfigs(configDir),
                        override.isEmpty()
                                ? ""
                                : layout.root().resolve(override).toString(),
                        stageDir,
                        options,
                        mode.runner(),
                        log)
                .forArch(arch, toolchain);
    }

    /** The tools bundle stage, for every arch. */
    public ToolsStage tools(int zstdLevel) {
        if (config.toolsSource() == ToolsSourceKind.DEBIAN_SOURCE) {
            host().ensure("tools", HostPackages.of("tools", Arch.host(), Arch.host()));
        }
        return new ToolsStage(
                Sources.tools(config, cache.get(), mode.runner(), log),
                layout.stageDir(Stage.TOOLS),
                layout.timestamp(),
                zstdLevel,
                layout.builderId(),
                log);
    }

    /**
     * The initramfs stage, for every arch: mkosi found once (the host's when new enough, else Debian's package; the
     * builder image's unpacked one in docker mode).
     *
     * @param python the Python 3 that runs Debian's mkosi package on this host
     */
    public InitramfsStage initramfs(Path mkosiDir, Path extraDir, InitramfsStage.Options options, String python) {
        host().ensure("initramfs", HostPackages.of("initramfs", Arch.host(), Arch.host()));
        if (!Files.isRegularFile(mkosiDir.resolve("mkosi.conf"))) {
            throw new CaptainException("No mkosi.conf in " + mkosiDir + ": set captain.initramfs.mkosiDir (the"
                    + " <mkosiDir> parameter) to the folder that holds it");
        }
        if (!Files.isDirectory(extraDir)) {
            throw new CaptainException("The mkosi.extra tree " + extraDir + " does not exist: set"
                    + " captain.initramfs.extraDir (the <extraDir> parameter) to it");
        }
        Path stageDir = layout.stageDir(Stage.INITRAMFS);
        Mkosi mkosi = mode.inBuilder()
                ? Mkosi.unpacked(mode.runner(), debian(), stageDir.resolve("tools"), PYTHON, log)
                : Mkosi.find(mode.runner(), debian(), stageDir.resolve("tools"), python, log);
        log.info("initramfs: mkosi " + mkosi.version() + " from " + mkosi.origin());
        return new InitramfsStage(
                mkosi,
                mkosiDir.toAbsolutePath(),
                extraDir.toAbsolutePath().normalize(),
                stageDir,
                layout.cacheDir().resolve("mkosi-packages"),
                options,
                mode.runner().forImageBuilds(),
                log);
    }

    /** The settings-derived options of the initramfs. */
    public InitramfsStage.Options initramfsOptions(
            String osVersion, int zstdLevel, int zstdLong, List<Preload.Entry> preload) {
        return new InitramfsStage.Options(
                osVersion,
                layout.timestamp(),
                zstdLevel,
                zstdLong,
                Sources.debianMirror(config),
                config.suites(),
                Sources.keyringBytes(config),
                layout.builderId(),
                layout.offline(),
                preload);
    }

    /** Foreign binaries in an image for {@code arch} run through this host's binfmt_misc, in the builder too. */
    public void foreignArch(Arch arch) {
        CommandRunner here = mode.inBuilder() ? new NativeRunner(log) : mode.runner();
        ForeignArch.ensure(arch, Arch.host(), HostPrerequisites.ofThisHost(config.hostInstall(), here, log), here, log);
    }

    /** The ISO for an arch, from the kernel's image and config and the initramfs. */
    public StageWork iso(Arch arch, Path vmlinuz, Path kernelConfig, Path initramfs) {
        host().ensure("iso", HostPackages.of("iso", arch, Arch.host()));
        Path stageDir = layout.stageDir(Stage.ISO);
        GrubPlatforms grub = new GrubPlatforms(
                Path.of("/usr/lib/grub"), stageDir.resolve("grub"), this::debian, mode.inBuilder(), log);
        return new IsoStage(stageDir, layout.timestamp(), layout.builderId(), mode.runner(), log)
                .forArch(arch, IsoStage.kernelVersion(kernelConfig), vmlinuz, initramfs, grub.forArch(arch));
    }

    private DebianArchive debian() {
        return Sources.debian(config, cache.get(), log);
    }
}
