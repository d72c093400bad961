package io.captainos.maven.extensions;

import javax.inject.Named;
import javax.inject.Provider;
import javax.inject.Singleton;
import org.apache.maven.lifecycle.mapping.LifecycleMapping;

/**
 * The lifecycle of packaging {@code captain-release}: {@code package} runs {@code captain:oci-layout},
 * {@code deploy} runs the deploy plugin and then {@code captain:publish}.
 */
@Singleton
@Named("captain-release")
public final class ReleaseLifecycleMapping implements Provider<LifecycleMapping> {
    private final LifecycleMapping mapping = CaptainPackaging.releaseLifecycle();

    @Override
    public LifecycleMapping get() {
        return mapping;
    }
}
