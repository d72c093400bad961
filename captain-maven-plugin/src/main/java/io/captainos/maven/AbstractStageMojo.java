package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.Stage;
import io.captainos.core.exec.StageExecution;
import io.captainos.core.pipeline.StageFactory;
import io.captainos.core.pipeline.StagePipeline;
import io.captainos.core.pipeline.StageResult;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.nio.file.Path;
import org.apache.maven.project.MavenProjectHelper;

/**
 * A goal that runs one build stage for each target arch through the pipeline and attaches what it made (or, when
 * the stage is skipped, what an earlier build made). A goal only adapts Maven: its parameters, the files of other
 * modules, and attaching.
 */
abstract class AbstractStageMojo extends AbstractCaptainMojo {
    private final MavenProjectHelper helper;

    AbstractStageMojo(MavenProjectHelper helper) {
        this.helper = helper;
    }

    @Override
    protected abstract Stage stage();

    /** The stage's files for an arch under its folder, where a skipped stage finds an earlier build. */
    protected abstract StageOutputs outputs(Path stageDir, Arch arch);

    /** The stage's work for an arch, assembled by the factory from the goal's parameters and resolved inputs. */
    protected abstract StageWork work(StageFactory factory, Arch arch);

    @Override
    protected final void run() {
        BuildConfig config = config();
        Stage stage = stage();
        StageExecution.Resolved mode = execution().resolve(stage, config.mode(stage));
        StagePipeline pipeline = new StagePipeline(outDir(), config.lockTimeout(), log());
        StageFactory factory = mode.skipped() ? null : factory(config, mode);
        for (Arch arch : config.arches()) {
            StageResult result = mode.skipped()
                    ? pipeline.earlier(outputs(buildDir().resolve(stage.id()), arch), stage.modeProperty())
                    : pipeline.run(work(factory, arch), config.force(stage));
            if (result != null) {
                attach(result.outputs());
            }
        }
    }

    private void attach(StageOutputs outputs) {
        for (StageOutputs.File f : outputs.files()) {
            if (f.type() != null) {
                helper.attachArtifact(
                        project,
                        f.type(),
                        f.classifier(),
                        outputs.dir().resolve(f.name()).toFile());
            }
        }
    }
}
