package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.Stage;

/** A stage whose build is not part of this version yet: it says so, and attaches nothing. */
abstract class PendingStageMojo extends AbstractCaptainMojo {
    private final Stage stage;

    PendingStageMojo(Stage stage) {
        this.stage = stage;
    }

    @Override
    protected void run() {
        BuildConfig config = config();
        for (Arch arch : config.arches()) {
            getLog().info(stage.id() + " (" + arch.linux() + "): this stage is not built yet in this version of "
                    + "CaptainOS; no " + stage.id() + " artifact is produced");
        }
    }
}
