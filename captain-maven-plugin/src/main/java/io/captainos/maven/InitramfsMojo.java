package io.captainos.maven;

import io.captainos.core.Stage;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Builds the initramfs (a zstd newc CPIO of the Debian systemd OS) for each target arch. Not built yet in this version: the goal validates the configuration and logs that the stage is
 * pending.
 */
@Mojo(name = "initramfs", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class InitramfsMojo extends PendingStageMojo {
    public InitramfsMojo() {
        super(Stage.INITRAMFS);
    }
}
