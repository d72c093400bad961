package io.captainos.maven;

import io.captainos.core.Stage;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Builds the UEFI ISO for each target arch. Not built yet in this version: the goal validates the configuration and logs that the stage is
 * pending.
 */
@Mojo(name = "iso", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class IsoMojo extends PendingStageMojo {
    public IsoMojo() {
        super(Stage.ISO);
    }
}
