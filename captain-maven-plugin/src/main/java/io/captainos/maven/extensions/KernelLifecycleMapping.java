package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import javax.inject.Named;
import javax.inject.Provider;
import javax.inject.Singleton;
import org.apache.maven.lifecycle.mapping.LifecycleMapping;

/** The lifecycle of packaging {@code captain-kernel}: {@code package} runs {@code captain:kernel}. */
@Singleton
@Named("captain-kernel")
public final class KernelLifecycleMapping implements Provider<LifecycleMapping> {
    private final LifecycleMapping mapping = CaptainPackaging.lifecycle(Stage.KERNEL);

    @Override
    public LifecycleMapping get() {
        return mapping;
    }
}
