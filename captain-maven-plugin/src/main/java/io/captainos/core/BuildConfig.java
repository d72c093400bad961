package io.captainos.core;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The resolved configuration of a build: what every stage does, for which arches. Resolving it validates every
 * setting, so a wrong value fails the build at once with the allowed values.
 */
public final class BuildConfig {
    /** The latest time every format we write can hold: the newc CPIO header's 32-bit unsigned mtime (2106). */
    public static final long MAX_TIMESTAMP = 0xFFFF_FFFFL;

    private final Settings settings;
    private final Path base;
    private final List<Arch> arches;
    private final Map<Stage, Mode> modes = new EnumMap<>(Stage.class);
    private final Map<Stage, Boolean> force = new EnumMap<>(Stage.class);
    private final ToolsSourceKind toolsSource;
    private final KernelSourceKind kernelSource;
    private final KernelBase kernelBase;
    private final Ccache ccache;
    private final List<String> suites;
    private final List<String> toolsSuites;
    private final Set<String> expiredAllowed;
    private final boolean hostInstall;

    /** Settings whose relative paths are taken from the current folder. */
    public BuildConfig(Settings settings) {
        this(settings, Path.of("").toAbsolutePath());
    }

    /** Settings whose relative paths (a kernel tree, a keyring) are taken from {@code base}. */
    public BuildConfig(Settings settings, Path base) {
        this.settings = settings;
        this.base = base;
        this.arches = Arch.parseList(settings.get(Settings.ARCH));
        for (Stage s : Stage.values()) {
            modes.put(s, Mode.parse(settings.get(Settings.mode(s)), s.modeProperty() + " (" + s.modeEnv() + ")"));
            force.put(s, settings.flag(Settings.force(s)));
        }
        this.toolsSource = choice(ToolsSourceKind.class, Settings.TOOLS_SOURCE);
        this.kernelSource = choice(KernelSourceKind.class, Settings.KERNEL_SOURCE);
        this.kernelBase = choice(KernelBase.class, Settings.KERNEL_BASE);
        this.ccache = choice(Ccache.class, Settings.KERNEL_CCACHE);
        this.suites = list(settings.get(Settings.DEBIAN_SUITES));
        if (suites.isEmpty()) {
            throw new CaptainException(
                    Settings.DEBIAN_SUITES.property() + " is empty: name at least one suite," + " e.g. trixie");
        }
        this.expiredAllowed = Set.copyOf(list(settings.get(Settings.DEBIAN_ALLOW_EXPIRED)));
        this.toolsSuites = toolsSuites(settings.resolve(Settings.TOOLS_SUITE), toolsSource, suites);
        KernelVersion.parse(settings.get(Settings.KERNEL_VERSION));
        this.hostInstall = settings.flag(Settings.HOST_INSTALL);
    }

    private static List<String> list(String commaSeparated) {
        return Arrays.stream(commaSeparated.split(","))
                .map(String::trim)
                .filter(x -> !x.isEmpty())
                .toList();
    }

    /** The tools' own suite when one is set (for the debian source only), else the suites of everything else. */
    private static List<String> toolsSuites(Settings.Value v, ToolsSourceKind source, List<String> suites) {
        String suite = v.value().trim();
        if (suite.isEmpty()) {
            return suites;
        }
        String name = Settings.TOOLS_SUITE.property() + " (" + v.origin() + ")";
        if (!suite.matches("[a-z][a-z0-9-]*")) {
            throw new CaptainException("Invalid " + name + " '" + v.value()
                    + "': name one Debian suite or codename as the archive's dists/ folder does, e.g. sid or"
                    + " trixie-backports");
        }
        if (!source.debian()) {
            throw new CaptainException(name + " is '" + suite + "', but the tools come from the "
                    + source.id() + " source, which takes no suite: unset it, or set "
                    + Settings.TOOLS_SOURCE.property() + "=debian or debian-source");
        }
        return List.of(suite);
    }

    private <E extends Enum<E> & Choice> E choice(Class<E> type, Setting s) {
        return Choice.parse(type, settings.get(s), s);
    }

    public Settings settings() {
        return settings;
    }

    public List<Arch> arches() {
        return arches;
    }

    public Mode mode(Stage stage) {
        return modes.get(stage);
    }

    public boolean force(Stage stage) {
        return force.get(stage);
    }

    public ToolsSourceKind toolsSource() {
        return toolsSource;
    }

    public KernelSourceKind kernelSource() {
        return kernelSource;
    }

    /** The make target the kernel config fragment is merged onto. */
    public KernelBase kernelBase() {
        return kernelBase;
    }

    public Ccache ccache() {
        return ccache;
    }

    /** The Debian suites packages are taken from, newest version first found. */
    public List<String> suites() {
        return suites;
    }

    /** The Debian suites the debian tools source takes its packages from: captain.tools.suite, else {@link #suites}. */
    public List<String> toolsSuites() {
        return toolsSuites;
    }

    /** Suites whose signed Release is taken past its Valid-Until ({@code captain.debian.allowExpired}). */
    public Set<String> expiredAllowed() {
        return expiredAllowed;
    }

    /** Whether missing host packages are installed with apt-get (as root on Debian). */
    public boolean hostInstall() {
        return hostInstall;
    }

    /** How long a stage waits for another build that holds its work folder ({@code captain.lock.timeout}). */
    public Duration lockTimeout() {
        Settings.Value v = settings.resolve(Settings.LOCK_TIMEOUT);
        String t = v.value().trim();
        if (!t.matches("[0-9]{1,9}")) {
            throw new CaptainException("Invalid captain.lock.timeout '" + v.value() + "' (" + v.origin()
                    + "): use a whole number of seconds, 0 to fail at once when another build holds the stage");
        }
        return Duration.ofSeconds(Long.parseLong(t));
    }

    /** A setting's value with surrounding blanks removed; empty when unset. */
    public String text(Setting s) {
        return settings.get(s).trim();
    }

    /** A path setting resolved against the folder the build started in. */
    public Path path(String value) {
        return base.resolve(value.trim());
    }

    public String get(Setting s) {
        return settings.get(s);
    }

    /**
     * Seconds since the epoch for every timestamp in every artifact: {@code project.build.outputTimestamp} (an ISO
     * 8601 instant or seconds), else {@code SOURCE_DATE_EPOCH}, else the epoch itself.
     */
    public static long timestamp(String outputTimestamp, String sourceDateEpoch) {
        String[] names = {"project.build.outputTimestamp", "SOURCE_DATE_EPOCH"};
        String[] values = {outputTimestamp, sourceDateEpoch};
        for (int i = 0; i < values.length; i++) {
            String v = values[i];
            if (v == null || v.isBlank() || v.trim().length() < 2) {
                continue;
            }
            String t = v.trim();
            long seconds;
            try {
                seconds = t.chars().allMatch(Character::isDigit)
                        ? Long.parseLong(t)
                        : Instant.parse(t).getEpochSecond();
            } catch (NumberFormatException | DateTimeParseException e) {
                throw new CaptainException("Invalid " + names[i] + " '" + v
                        + "': use an ISO 8601 instant such as 2026-01-01T00:00:00Z, or seconds since the epoch");
            }
            if (seconds < 0 || seconds > MAX_TIMESTAMP) {
                throw new CaptainException(names[i] + " '" + v + "' is outside what the artifacts can store: the"
                        + " CPIO newc header keeps a 32-bit mtime, so use a time from 1970-01-01T00:00:00Z to "
                        + Instant.ofEpochSecond(MAX_TIMESTAMP) + " (0 to " + MAX_TIMESTAMP + " seconds)");
            }
            return seconds;
        }
        return 0;
    }
}
