package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.Stage;
import io.captainos.core.pipeline.StageFactory;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import io.captainos.core.tools.ToolsStage;
import java.nio.file.Path;
import javax.inject.Inject;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProjectHelper;

/**
 * Builds the tools bundle (containerd, runc, nerdctl when the source has it, the CNI plugins) for each target arch
 * and attaches it as {@code tar.zst} with the arch's Linux name as classifier. The binaries come from Debian
 * packages ({@code -Dcaptain.tools.source=debian}, the default) or upstream releases ({@code upstream}), verified
 * either way. The stage is skipped when its inputs have not changed since the last build.
 */
@Mojo(name = "tools", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class ToolsMojo extends AbstractStageMojo {
    /** zstd level of the bundle. */
    @Parameter(property = "captain.tools.zstdLevel", defaultValue = "19")
    private int zstdLevel;

    private ToolsStage stage;

    @Inject
    public ToolsMojo(MavenProjectHelper helper) {
        super(helper);
    }

    @Override
    protected Stage stage() {
        return Stage.TOOLS;
    }

    @Override
    protected StageOutputs outputs(Path stageDir, Arch arch) {
        return ToolsStage.outputs(stageDir, arch);
    }

    @Override
    protected StageWork work(StageFactory factory, Arch arch) {
        if (stage == null) {
            stage = factory.tools(zstdLevel);
        }
        return stage.forArch(arch);
    }
}
