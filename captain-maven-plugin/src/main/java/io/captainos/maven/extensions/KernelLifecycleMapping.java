package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import javax.inject.Named;
import javax.inject.Singleton;

/** The lifecycle of packaging {@code captain-kernel}: {@code package} runs {@code captain:kernel}. */
@Singleton
@Named("captain-kernel")
public final class KernelLifecycleMapping extends StageLifecycleMapping {
    public KernelLifecycleMapping() {
        super(Stage.KERNEL);
    }
}
