package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.Stage;
import io.captainos.core.exec.StageExecution;
import io.captainos.core.sources.Sources;
import io.captainos.core.tools.ToolsStage;
import java.nio.file.Path;
import java.util.List;
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
public class ToolsMojo extends AbstractCaptainMojo {
    /** zstd level of the bundle. */
    @Parameter(property = "captain.tools.zstdLevel", defaultValue = "19")
    private int zstdLevel;

    private final MavenProjectHelper helper;

    @Inject
    public ToolsMojo(MavenProjectHelper helper) {
        this.helper = helper;
    }

    @Override
    protected Stage stage() {
        return Stage.TOOLS;
    }

    @Override
    protected void run() {
        BuildConfig config = config();
        StageExecution.Resolved mode = execution().resolve(Stage.TOOLS, config.mode(Stage.TOOLS));
        ToolsStage stage = null;
        for (Arch arch : config.arches()) {
            Path bundle;
            if (mode.skipped()) {
                Path stageDir = buildDir().resolve("tools");
                bundle = ToolsStage.bundle(stageDir, arch);
                if (!earlier(Stage.TOOLS, arch, "bundle", ToolsStage.stamp(stageDir, arch), List.of(bundle),
                        bundle.toString())) {
                    continue;
                }
            } else {
                if (stage == null) {
                    stage = new ToolsStage(Sources.tools(config, cache(config), log()), buildDir().resolve("tools"),
                            timestamp(), zstdLevel, PluginInfo.builderId(), log());
                }
                bundle = stage.build(arch, config.force(Stage.TOOLS)).bundle();
            }
            helper.attachArtifact(project, "tar.zst", arch.classifier(), bundle.toFile());
        }
    }
}
