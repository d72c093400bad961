package io.captainos.core.pipeline;

import io.captainos.core.BuildConfig;
import io.captainos.core.BuildLog;
import io.captainos.core.Settings;
import io.captainos.core.docker.BuilderImage;
import io.captainos.core.docker.DockerSetup;
import io.captainos.core.exec.NativeRunner;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.initramfs.Mkosi;
import io.captainos.core.sources.Sources;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Docker mode for a build: its engine, and the builder image made from the build's own Debian settings. */
public final class BuilderContainer {
    private BuilderContainer() {}

    /**
     * The engine and builder image for a build: the commands see the build's root, its build and out folders, the
     * download cache and a local kernel tree at their own paths, and ccache keeps its cache in the download cache
     * (or the caller's {@code CCACHE_DIR}, which a CI cache restores).
     */
    public static DockerSetup setup(
            BuildConfig config, StageFactory.Layout layout, Supplier<DownloadCache> cache, BuildLog log) {
        Settings.Value host = config.settings().resolve(Settings.DOCKER_HOST);
        List<Path> mounts =
                new ArrayList<>(List.of(layout.root(), layout.buildDir(), layout.outDir(), layout.cacheDir()));
        String src = config.text(Settings.KERNEL_SRC);
        if (!src.isEmpty()) {
            mounts.add(layout.root().resolve(src));
        }
        String ccacheEnv = System.getenv("CCACHE_DIR");
        Path ccache =
                ccacheEnv == null || ccacheEnv.isBlank() ? layout.cacheDir().resolve("ccache") : Path.of(ccacheEnv);
        mounts.add(ccache);
        NativeRunner here = new NativeRunner(log);
        Path work = layout.buildDir().resolve("builder");
        BuilderImage.Inputs inputs = new BuilderImage.Inputs(
                Sources.debianMirror(config),
                config.suites(),
                Sources.keyringBytes(config),
                config.text(Settings.BUILDER_BASE),
                config.settings().flag(Settings.BUILDER_NO_CACHE));
        return new DockerSetup(
                host.value(),
                host.origin(),
                engine -> new BuilderImage(
                        engine,
                        inputs,
                        work,
                        here,
                        () -> Mkosi.find(
                                here,
                                Sources.debian(config, cache.get(), log),
                                work.resolve("tools"),
                                StageFactory.PYTHON,
                                log),
                        layout.cacheDir().resolve("mkosi-packages"),
                        log),
                mounts,
                Map.of("CCACHE_DIR", ccache.toString(), "HOME", "/tmp"),
                log);
    }
}
