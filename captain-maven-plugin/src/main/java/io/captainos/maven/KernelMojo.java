package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.CaptainException;
import io.captainos.core.Ccache;
import io.captainos.core.KernelSourceKind;
import io.captainos.core.Settings;
import io.captainos.core.Stage;
import io.captainos.core.exec.StageExecution;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.host.HostPrerequisites;
import io.captainos.core.host.Requirement;
import io.captainos.core.kernel.KernelConfigs;
import io.captainos.core.kernel.KernelOutputs;
import io.captainos.core.kernel.KernelStage;
import io.captainos.core.kernel.PrebuiltKernelStage;
import io.captainos.core.kernel.Toolchain;
import io.captainos.core.sources.Sources;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Builds the kernel for each target arch and attaches {@code vmlinuz} (classifier {@code <arch>}), the modules tree
 * as {@code tar.zst} (classifier {@code modules-<arch>}) and the resolved {@code config} (classifier
 * {@code <arch>}); the image is also copied to {@code out/vmlinuz-<kver>-<arch>}. The source is Debian's
 * {@code linux-source} package (default), a kernel.org release, a local tree ({@code captain.kernel.src}), or
 * Debian's prebuilt kernel ({@code -Dcaptain.kernel.source=debian-image}, no compile). A compile uses our config
 * fragment for the branch and arch from {@code config/}, arm64 cross-compiled, with ccache when present.
 */
@Mojo(name = "kernel", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class KernelMojo extends AbstractCaptainMojo {
    /** The folder of the per-branch, per-arch config fragments ({@code 6.12.y.amd64}, ...). */
    @Parameter(property = "captain.kernel.configDir", defaultValue = "${project.basedir}/config")
    private File configDir;

    private final MavenProjectHelper helper;

    @Inject
    public KernelMojo(MavenProjectHelper helper) {
        this.helper = helper;
    }

    @Override
    protected Stage stage() {
        return Stage.KERNEL;
    }

    @Override
    protected void run() {
        BuildConfig config = config();
        StageExecution.Resolved mode = execution().resolve(Stage.KERNEL, config.mode(Stage.KERNEL));
        for (Arch arch : config.arches()) {
            KernelStage.Result r = mode.skipped() ? existing(arch) : build(config, mode, arch);
            if (r == null) {
                continue;
            }
            helper.attachArtifact(project, "vmlinuz", arch.classifier(), r.vmlinuz().toFile());
            helper.attachArtifact(project, "tar.zst", arch.classifier("modules"), r.modules().toFile());
            helper.attachArtifact(project, "config", arch.classifier(), r.config().toFile());
        }
    }

    /** The config override, relative to the folder the build started in; empty when none is given. */
    private String configOverride(BuildConfig config) {
        String c = config.text(Settings.KERNEL_CONFIG);
        return c.isEmpty() ? "" : root().resolve(c).toString();
    }

    private KernelStage.Result existing(Arch arch) {
        KernelOutputs out = new KernelOutputs(buildDir().resolve("kernel"), outDir(), arch);
        String version = out.version();
        if (!earlier(Stage.KERNEL, arch, "kernel", out.stamp(), List.of(out.vmlinuz(), out.modules(), out.config()),
                version == null ? "kernel" : version)) {
            return null;
        }
        if (version == null) {
            throw new CaptainException("kernel (" + arch.linux() + "): the earlier build in " + out.dir()
                    + " has no kernel version record; rebuild it with -Dcaptain.kernel.mode=native or remove it"
                    + " with captain:clean");
        }
        return new KernelStage.Result(arch, version, out.vmlinuz(), out.modules(), out.config(),
                out.outVmlinuz(version), false, List.of());
    }

    private KernelStage.Result build(BuildConfig config, StageExecution.Resolved mode, Arch arch) {
        DownloadCache cache = cache(config);
        HostPrerequisites host = host(config, mode);
        if (config.kernelSource() == KernelSourceKind.DEBIAN_IMAGE && config.text(Settings.KERNEL_SRC).isEmpty()) {
            host.ensure("kernel", List.of(Requirement.program("depmod", "kmod")));
            return new PrebuiltKernelStage(Sources.debian(config, cache, log()), buildDir().resolve("kernel"),
                    outDir(), timestamp(), PluginInfo.builderId(), mode.runner(), log())
                    .build(arch, config.force(Stage.KERNEL));
        }
        Arch hostArch = Arch.host();
        if (hostArch == null) {
            throw new CaptainException("Kernel compiles run on amd64 or arm64 hosts; this is "
                    + System.getProperty("os.arch"));
        }
        Toolchain toolchain = new Toolchain(arch, hostArch);
        List<Requirement> needs = new ArrayList<>(toolchain.requirements());
        Requirement ccache = Requirement.program("ccache", "ccache");
        if (config.ccache() == Ccache.TRUE) {
            needs.add(ccache);
        }
        host.ensure("kernel", needs);
        boolean useCcache = config.ccache() == Ccache.TRUE
                || (config.ccache() == Ccache.AUTO && host.missing(List.of(ccache)).isEmpty());
        KernelStage.Options options = new KernelStage.Options(config.kernelBase().id(), useCcache,
                timestamp(), Runtime.getRuntime().availableProcessors(), PluginInfo.builderId());
        return new KernelStage(Sources.kernel(config, cache, mode.runner(), log()),
                new KernelConfigs(configDir.toPath()), configOverride(config), buildDir().resolve("kernel"),
                outDir(), options, mode.runner(), log()).build(arch, toolchain, config.force(Stage.KERNEL));
    }
}
