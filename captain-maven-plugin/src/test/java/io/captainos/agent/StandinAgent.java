package io.captainos.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The stand-in tink-agent ({@code tink-agent.go} beside this class): a Go program with the real agent's flag set,
 * compiled with the host's Go (Debian's {@code golang-go}) into a static binary for the arch asked for. Shared with
 * the boot tests (test-jar), which put it into the agent image the guest pulls.
 */
public final class StandinAgent {
    /** Where Debian's golang-go puts the compiler; {@code go} on the PATH is tried too. */
    private static final List<Path> GO = List.of(Path.of("/usr/bin/go"), Path.of("/usr/lib/go/bin/go"));

    private StandinAgent() {}

    /** The Go compiler, or an error naming the package to install. */
    public static Path go() {
        for (Path p : GO) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("the stand-in agent needs Go: install golang-go (apt-get install golang-go)");
    }

    /** The program's source. */
    public static String source() throws IOException {
        try (InputStream in = StandinAgent.class.getResourceAsStream("tink-agent.go")) {
            if (in == null) {
                throw new IOException("tink-agent.go is not on the test classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Compiles the stand-in for a Go architecture ({@code amd64}, {@code arm64}) into {@code dir/tink-agent}, once:
     * a binary already there from the same source is reused.
     */
    public static Path build(Path dir, String goarch) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        dir = dir.toAbsolutePath();
        Path src = dir.resolve("tink-agent.go");
        Path bin = dir.resolve("tink-agent");
        Path built = dir.resolve("tink-agent.built-from");
        String source = source();
        if (Files.isExecutable(bin)
                && Files.exists(built)
                && Files.readString(built).equals(source)) {
            return bin;
        }
        Files.deleteIfExists(built);
        Files.writeString(src, source);
        Path tmp = dir.resolve("tink-agent.part");
        List<String> cmd = new ArrayList<>(
                List.of(go().toString(), "build", "-trimpath", "-ldflags=-s -w", "-o", tmp.toString(), src.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("CGO_ENABLED", "0");
        env.put("GOOS", "linux");
        env.put("GOARCH", goarch);
        env.put("GO111MODULE", "off");
        env.putIfAbsent(
                "GOCACHE",
                Path.of(System.getProperty("java.io.tmpdir"), "captainos-go-cache")
                        .toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("go build of the stand-in agent failed: " + out);
        }
        Files.move(tmp, bin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Files.writeString(built, source);
        return bin;
    }
}
