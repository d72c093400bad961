package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import javax.inject.Named;
import javax.inject.Provider;
import javax.inject.Singleton;
import org.apache.maven.lifecycle.mapping.LifecycleMapping;

/** The lifecycle of packaging {@code captain-iso}: {@code package} runs {@code captain:iso}. */
@Singleton
@Named("captain-iso")
public final class IsoLifecycleMapping implements Provider<LifecycleMapping> {
    private final LifecycleMapping mapping = CaptainPackaging.lifecycle(Stage.ISO);

    @Override
    public LifecycleMapping get() {
        return mapping;
    }
}
