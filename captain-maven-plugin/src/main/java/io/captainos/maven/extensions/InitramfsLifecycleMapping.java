package io.captainos.maven.extensions;

import io.captainos.core.Stage;
import javax.inject.Named;
import javax.inject.Provider;
import javax.inject.Singleton;
import org.apache.maven.lifecycle.mapping.LifecycleMapping;

/** The lifecycle of packaging {@code captain-initramfs}: {@code package} runs {@code captain:initramfs}. */
@Singleton
@Named("captain-initramfs")
public final class InitramfsLifecycleMapping implements Provider<LifecycleMapping> {
    private final LifecycleMapping mapping = CaptainPackaging.lifecycle(Stage.INITRAMFS);

    @Override
    public LifecycleMapping get() {
        return mapping;
    }
}
