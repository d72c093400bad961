package io.captainos.maven;

import io.captainos.core.Stage;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;

/**
 * Builds the kernel (vmlinuz, modules, resolved config) for each target arch. Not built yet in this version: the goal validates the configuration and logs that the stage is
 * pending.
 */
@Mojo(name = "kernel", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class KernelMojo extends PendingStageMojo {
    public KernelMojo() {
        super(Stage.KERNEL);
    }
}
