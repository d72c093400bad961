package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.Stage;
import io.captainos.core.kernel.KernelOutputs;
import io.captainos.core.pipeline.StageFactory;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.io.File;
import java.nio.file.Path;
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
public class KernelMojo extends AbstractStageMojo {
    /** The folder of the per-branch, per-arch config fragments ({@code 6.12.y.amd64}, ...). */
    @Parameter(property = "captain.kernel.configDir", defaultValue = "${project.basedir}/config")
    private File configDir;

    @Inject
    public KernelMojo(MavenProjectHelper helper) {
        super(helper);
    }

    @Override
    protected Stage stage() {
        return Stage.KERNEL;
    }

    @Override
    protected StageOutputs outputs(Path stageDir, Arch arch) {
        return KernelOutputs.of(stageDir, arch);
    }

    @Override
    protected StageWork work(StageFactory factory, Arch arch) {
        return factory.kernel(arch, configDir.toPath());
    }
}
